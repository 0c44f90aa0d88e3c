package consent

import (
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/assent-recorder/assent/internal/langtest"
)

// TestEveryLanguageHasEveryKey fails when a language file lacks a key (or
// leaves it empty), when a file could not be read, or when a translation
// changes the %-verbs its sentence is written with.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	if len(catalogErrs) > 0 {
		t.Fatalf("language files that cannot be read: %v", catalogErrs)
	}
	for _, want := range []string{"en", "es", "fr", "de"} {
		if !KnownLanguage(want) {
			t.Errorf("no language file for %q", want)
		}
	}
	for tag, w := range catalog {
		langtest.Compare(t, "lang/"+tag+".json", *wordsOf(DefaultLanguage), *w)
	}
}

// TestLanguageFileRefusesUnknownKeys checks that a misspelt key is an
// error, not a silently English sentence.
func TestLanguageFileRefusesUnknownKeys(t *testing.T) {
	files := fstest.MapFS{
		"lang/en.json": {Data: []byte(`{"language": "en", "askYuo": "typo"}`)},
		"lang/xx.json": {Data: []byte(`{"language": "yy"}`)},
	}
	c, errs := loadCatalog(files)
	if len(errs) != 2 || len(c) != 0 {
		t.Errorf("loadCatalog of a misspelt key and a wrong tag = %d languages, errors %v; want none and 2 errors", len(c), errs)
	}
}

// TestReadAloudIsMarkedInEveryLanguage checks that a receipt of answers
// the therapist entered for a client who heard the statement read aloud
// says so, in each language's words, in the page and the Kantara record.
func TestReadAloudIsMarkedInEveryLanguage(t *testing.T) {
	for _, l := range Languages() {
		t.Run(l.Tag, func(t *testing.T) {
			w := wordsOf(l.Tag)
			r := Receipt{Language: l.Tag, Method: CollectionReadAloud}
			page := r.Page().String()
			for _, must := range []string{w.CollectionReadAloud} {
				if !regexp.MustCompile(regexp.QuoteMeta(must)).MatchString(page) {
					t.Errorf("the read-aloud receipt in %s does not say %q:\n%s", l.Tag, must, page)
				}
			}
			if w.CollectionReadAloud == w.CollectionOnScreen {
				t.Errorf("%s says read aloud and on screen alike: %q", l.Tag, w.CollectionReadAloud)
			}
		})
	}
}
