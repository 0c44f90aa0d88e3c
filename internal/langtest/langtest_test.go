package langtest

import (
	"slices"
	"testing"
)

func TestVerbs(t *testing.T) {
	for format, want := range map[string][]string{
		"%s %d":                   {"1s", "2d"},
		"%[2]d %[1]s":             {"1s", "2d"},
		"%[1]s, %[1]s and %[2]s.": {"1s", "2s"},
		"no verbs":                nil,
	} {
		if got := Verbs(format); !slices.Equal(got, want) {
			t.Errorf("Verbs(%q) = %v, want %v", format, got, want)
		}
	}
}

// recorder collects what Compare reports.
type recorder struct {
	testing.TB
	errs int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errs++ }

func TestCompareFindsMissingAndChangedVerbs(t *testing.T) {
	type words struct {
		A string    `json:"a"`
		B [2]string `json:"b"`
		C struct {
			D string `json:"d"`
		} `json:"c"`
	}
	en := words{A: "%d days", B: [2]string{"x", "y"}}
	en.C.D = "z"
	good := en
	bad := words{A: "%s días", B: [2]string{"x", ""}}
	r := &recorder{TB: t}
	Compare(r, "good", en, good)
	if r.errs != 0 {
		t.Errorf("a complete translation gives %d errors", r.errs)
	}
	Compare(r, "bad", en, bad)
	if r.errs != 3 {
		t.Errorf("a changed verb, an empty and a missing key give %d errors, want 3", r.errs)
	}
}
