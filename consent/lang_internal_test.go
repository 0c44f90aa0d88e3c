package consent

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"testing/fstest"
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
	en := flatten(reflect.ValueOf(*wordsOf(DefaultLanguage)), "")
	for tag, w := range catalog {
		got := flatten(reflect.ValueOf(*w), "")
		for key, enValue := range en {
			value := got[key]
			if value == "" {
				t.Errorf("lang/%s.json: key %s is missing or empty", tag, key)
				continue
			}
			if a, b := verbs(enValue), verbs(value); !slices.Equal(a, b) {
				t.Errorf("lang/%s.json: key %s has verbs %v, English has %v", tag, key, b, a)
			}
		}
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

// flatten lists every string of a words value by its JSON path.
func flatten(v reflect.Value, prefix string) map[string]string {
	out := map[string]string{}
	switch v.Kind() {
	case reflect.String:
		out[prefix] = v.String()
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			for k, s := range flatten(v.Index(i), fmt.Sprintf("%s[%d]", prefix, i)) {
				out[k] = s
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Tag.Get("json")
			if prefix != "" {
				name = prefix + "." + name
			}
			for k, s := range flatten(v.Field(i), name) {
				out[k] = s
			}
		}
	}
	return out
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[a-z]`)

// verbs are the %-verbs of a format, each with its argument number, in
// argument order: "%s %d" and "%[2]d %[1]s" both give [1s 2d].
func verbs(format string) []string {
	var out []string
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		n := next
		if m[1] != "" {
			fmt.Sscanf(m[1], "[%d]", &n)
		}
		next = n + 1
		out = append(out, fmt.Sprintf("%d%s", n, m[0][len(m[0])-1:]))
	}
	slices.Sort(out)
	return slices.Compact(out)
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
