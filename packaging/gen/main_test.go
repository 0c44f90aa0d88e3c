package main

import "testing"

// Text from the help must not turn into roff requests or escapes.
func TestRoffLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain words":          "plain words",
		".starts with a dot":   `\&.starts with a dot`,
		"'starts with a quote": `\&'starts with a quote`,
		`C:\Users --data`:      `C:\eUsers \-\-data`,
	} {
		if got := roffLine(in); got != want {
			t.Errorf("roffLine(%q) = %q, want %q", in, got, want)
		}
	}
}
