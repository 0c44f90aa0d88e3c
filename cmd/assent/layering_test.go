package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/assent-recorder/assent"

// TestLayering guards the one-way dependencies of DESIGN.md:
// cmd → app → session → {consent, storage, audio}, and app → ink; consent,
// ink and internal/schedule (used by cmd and app) import only the standard
// library; session imports no Fyne and nothing above it; audio and storage
// import neither Fyne, app, session, nor each other.
func TestLayering(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string
		stdOnly   bool
	}{
		{pkg: "./consent", stdOnly: true},
		// Handwriting as data; the widget is app's.
		{pkg: "./ink", stdOnly: true},
		// Its init must run before Fyne's (see its package comment).
		{pkg: "./internal/posixlocale", stdOnly: true},
		// The OS's scheduler, used by cmd and app: none of Assent's data,
		// no UI, only the standard library.
		{pkg: "./internal/schedule", stdOnly: true},
		{pkg: "./storage", forbidden: []string{"fyne.io/", module + "/app", module + "/session", module + "/audio", "github.com/gordonklaus/portaudio"}},
		{pkg: "./audio/...", forbidden: []string{"fyne.io/", module + "/app", module + "/session", module + "/storage", "modernc.org/sqlite"}},
		// session may use consent, storage and audio, and nothing above.
		{pkg: "./session", forbidden: []string{"fyne.io/", module + "/app", module + "/cmd", "github.com/gordonklaus/portaudio"}},
		{pkg: "./app", forbidden: []string{module + "/cmd"}},
	}
	for _, r := range rules {
		t.Run(strings.TrimPrefix(r.pkg, "./"), func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "../../"+strings.TrimPrefix(r.pkg, "./")).CombinedOutput()
			if err != nil {
				if strings.Contains(string(out), "matched no packages") || strings.Contains(string(out), "no Go files") {
					t.Skipf("%s has no Go files yet", r.pkg)
				}
				t.Fatalf("go list: %v\n%s", err, out)
			}
			self := module + "/" + strings.TrimSuffix(strings.TrimPrefix(r.pkg, "./"), "/...")
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				path, std, _ := strings.Cut(line, " ")
				if strings.HasPrefix(path, self) {
					continue
				}
				if r.stdOnly && std != "true" {
					t.Errorf("%s imports %s; it may import only the standard library", r.pkg, path)
				}
				for _, f := range r.forbidden {
					if strings.HasPrefix(path, f) {
						t.Errorf("%s imports %s", r.pkg, path)
					}
				}
			}
		})
	}
}
