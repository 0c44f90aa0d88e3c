package consent

import (
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

// TestReadAloudIsMarkedInEveryLanguage checks that each language words
// a statement read aloud differently from one read on screen, so that a
// receipt tells them apart (the receipt_readaloud goldens of each language
// show the words in the page and the Kantara record).
func TestReadAloudIsMarkedInEveryLanguage(t *testing.T) {
	for _, l := range Languages() {
		w := wordsOf(l.Tag)
		if w.CollectionReadAloud == w.CollectionOnScreen {
			t.Errorf("%s says read aloud and on screen alike: %q", l.Tag, w.CollectionReadAloud)
		}
	}
}
