package app

import (
	"strings"
	"testing"
)

// TestAboutShowsTheVersion: the menu's About says the version and commit
// that cmd/assent gives (the text of `assent --version`).
func TestAboutShowsTheVersion(t *testing.T) {
	u, _ := newTestUI(t)
	u.opt.Version = "9.8.7 (commit 0123456789ab)"
	u.Start()
	var about func()
	for _, it := range u.win.MainMenu().Items[0].Items {
		if it.Label == "About Assent" {
			about = it.Action
		}
	}
	if about == nil {
		t.Fatal("the menu has no About Assent")
	}
	about()
	if texts := strings.Join(visibleTexts(u.win), "\n"); !strings.Contains(texts, "Assent 9.8.7 (commit 0123456789ab)") {
		t.Errorf("About shows:\n%s", texts)
	}
}
