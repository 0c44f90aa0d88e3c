package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/assent-recorder/assent/assets"
)

// TestAssetsAreGenerated: the chimes committed in assets are exactly what
// this generator makes, so they are the project's own work and can be
// remade (`go generate ./assets`).
func TestAssetsAreGenerated(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir); err != nil {
		t.Fatal(err)
	}
	for name, embedded := range map[string][]byte{
		"chime-start.mp3": assets.ChimeStartMP3,
		"chime-stop.mp3":  assets.ChimeStopMP3,
	} {
		made, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(made, embedded) {
			t.Errorf("assets/%s differs from what chimegen makes: run go generate ./assets", name)
		}
	}
}
