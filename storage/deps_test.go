package storage_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// storage may depend on the standard library, SQLite and x/crypto, and on
// nothing of Assent's UI or audio (../shared/STYLE.md, habit 1). A guard
// that cannot run fails: skipping would hide a broken build or go command
// behind a green test.
func TestDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps failed, so the dependency guard could not run: %v\n%s%s", err, out, stderr.Bytes())
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps listed nothing")
	}
	for _, dep := range deps {
		for _, banned := range []string{"fyne.io/", "github.com/gordonklaus/portaudio", "github.com/hajimehoshi/go-mp3",
			"github.com/assent-recorder/assent/app", "github.com/assent-recorder/assent/audio", "github.com/assent-recorder/assent/cmd"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("storage depends on %s", dep)
			}
		}
	}
}
