package main

import (
	"strings"
	"testing"
)

// Under the C locale with an encoding (LANG=C.UTF-8, the default of
// containers and systemd units) the binary must not start with Fyne's
// "Error parsing user locale C": internal/posixlocale prevents it.
func TestLocaleCUTF8NoFyneError(t *testing.T) {
	for _, env := range [][]string{
		{"LANG=C.UTF-8"},
		{"LC_ALL=C.UTF-8"},
		{"LC_MESSAGES=C.UTF-8"},
		{"LANG=C.utf8"},
		{"LANG=POSIX.UTF-8"},
	} {
		t.Run(strings.Join(env, " "), func(t *testing.T) {
			dir := t.TempDir()
			r := cli(t, env, "", "status", "--data", dir)
			r.expect(t, exitProblems, "assent status: there is no Assent data in "+dir)
			for _, bad := range []string{"Fyne error", "Error parsing user locale"} {
				if strings.Contains(r.stderr, bad) {
					t.Errorf("stderr has %q:\n%s", bad, r.stderr)
				}
			}
		})
	}
}

// internal/posixlocale works only if its init runs before that of Fyne's
// lang package; the runtime's init trace shows the order.
func TestLocaleInitOrder(t *testing.T) {
	r := cli(t, []string{"GODEBUG=inittrace=1"}, "", "version")
	posix := strings.Index(r.stderr, "init github.com/assent-recorder/assent/internal/posixlocale @")
	lang := strings.Index(r.stderr, "init fyne.io/fyne/v2/lang @")
	if posix < 0 || lang < 0 || posix > lang {
		t.Errorf("internal/posixlocale must initialise before fyne.io/fyne/v2/lang (at %d and %d in the init trace):\n%s", posix, lang, r.stderr)
	}
}
