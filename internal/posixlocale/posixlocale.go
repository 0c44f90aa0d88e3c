// Package posixlocale stops Fyne from logging "Fyne error: Error parsing
// user locale C" at the start of every run when the locale is the C locale
// with an encoding, such as LANG=C.UTF-8 (the default in containers, systemd
// units and many minimal systems). Import it for its side effect, from
// package main only:
//
//	import _ "github.com/assent-recorder/assent/internal/posixlocale"
//
// # Why it exists
//
// The init function of fyne.io/fyne/v2/lang asks
// github.com/jeandeaual/go-locale for the user's languages. On Unix,
// go-locale takes the first non-empty of LC_ALL, LC_MESSAGES and LANG. It
// treats exactly "C" or "POSIX" as "no locale"; any other value it replaces
// with $LANGUAGE when that is set, and otherwise cuts at the first "." and
// hands the rest on as a language. "C.UTF-8" thus becomes the language "C",
// which is not a BCP 47 tag, and Fyne logs three lines to stderr. The hourly
// "assent purge" of the systemd timer would fill the journal with them.
//
// # What it does
//
// If that first non-empty value is "C" or "POSIX" followed by "." or "@"
// (C.UTF-8, C.utf8, POSIX.UTF-8, C@anything) and LANGUAGE is empty, init
// sets LANGUAGE=C. go-locale then returns "C", which it treats as no locale,
// so Fyne behaves exactly as under LANG=C: English, no error. Nothing else is
// touched.
//
// It leaves LC_ALL, LC_MESSAGES and LANG alone, as the child processes
// (systemctl and the like) inherit them and C.UTF-8 gives them UTF-8 output.
// It sets LANGUAGE to "C" rather than to a language such as "en" because,
// unlike under plain C, glibc's gettext does honour LANGUAGE under C.UTF-8
// (LANG=C.UTF-8 LANGUAGE=de ls /nonexistent speaks German), whereas a "C"
// in LANGUAGE makes gettext return the untranslated messages, which is what
// those children print under C.UTF-8 anyway. A LANGUAGE the user has set is
// kept: go-locale uses it, so there is nothing to fix.
//
// # Why only the standard library, and the init order it relies on
//
// The fix works only if this init runs before Fyne's. Since Go 1.21 the
// spec orders package initialisation by import path: repeatedly, the first
// package in import-path order whose imports are all initialised is
// initialised next. This package's import path sorts before
// "github.com/jeandeaual/go-locale", and its imports (os and strings) are
// among go-locale's own dependencies, so this package is ready whenever
// go-locale is and, sorting first, is always chosen first; go-locale in
// turn is initialised before fyne.io/fyne/v2/lang, which imports it. Importing anything outside the
// standard library here, or anything go-locale does not already depend on,
// could make this package wait and lose that race. cmd/assent's tests
// check both: the imports (TestLayering) and the order in the built binary
// (TestLocaleInitOrder).
package posixlocale

import (
	"os"
	"strings"
)

func init() {
	if value, ok := language(os.Getenv); ok {
		os.Setenv("LANGUAGE", value)
	}
}

// language decides, from the environment that getenv reads, whether
// LANGUAGE should be set and to what; see the package comment.
func language(getenv func(string) string) (string, bool) {
	if getenv("LANGUAGE") != "" {
		return "", false
	}
	var locale string
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(name); locale != "" {
			break
		}
	}
	for _, c := range [...]string{"C", "POSIX"} {
		if rest, ok := strings.CutPrefix(locale, c); ok && rest != "" && (rest[0] == '.' || rest[0] == '@') {
			return "C", true
		}
	}
	return "", false
}
