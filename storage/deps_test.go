package storage_test

import (
	"os/exec"
	"strings"
	"testing"
)

// storage may depend on the standard library, SQLite and x/crypto, and on
// nothing of Assent's UI or audio (../shared/STYLE.md, habit 1).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"fyne.io/", "github.com/gordonklaus/portaudio", "github.com/hajimehoshi/go-mp3",
			"github.com/assent-recorder/assent/app", "github.com/assent-recorder/assent/audio", "github.com/assent-recorder/assent/cmd"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("storage depends on %s", dep)
			}
		}
	}
}
