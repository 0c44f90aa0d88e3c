package posixlocale

import (
	"testing"
)

func TestPosixLanguage(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "" means LANGUAGE is left alone
	}{
		{"nothing set", nil, ""},
		{"LANG=C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, "C"},
		{"LANG=C.utf8", map[string]string{"LANG": "C.utf8"}, "C"},
		{"LANG=POSIX.UTF-8", map[string]string{"LANG": "POSIX.UTF-8"}, "C"},
		{"LANG=C@euro", map[string]string{"LANG": "C@euro"}, "C"},
		{"LANG=C.UTF-8@mod", map[string]string{"LANG": "C.UTF-8@mod"}, "C"},
		{"LC_ALL=C.UTF-8", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "en_GB.UTF-8"}, "C"},
		{"LC_MESSAGES=C.UTF-8", map[string]string{"LC_MESSAGES": "C.UTF-8", "LANG": "en_GB.UTF-8"}, "C"},
		// go-locale already treats exactly C and POSIX as no locale.
		{"LANG=C", map[string]string{"LANG": "C"}, ""},
		{"LANG=POSIX", map[string]string{"LANG": "POSIX"}, ""},
		// Real locales, and names that only start with C or POSIX.
		{"LANG=en_GB.UTF-8", map[string]string{"LANG": "en_GB.UTF-8"}, ""},
		{"LANG=ca_ES.UTF-8", map[string]string{"LANG": "ca_ES.UTF-8"}, ""},
		{"LANG=CUTF8", map[string]string{"LANG": "CUTF8"}, ""},
		{"LANG=POSIXLY", map[string]string{"LANG": "POSIXLY"}, ""},
		// The first non-empty of LC_ALL, LC_MESSAGES, LANG decides.
		{"LC_ALL wins over LANG=C.UTF-8", map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"LC_MESSAGES wins over LANG=C.UTF-8", map[string]string{"LC_MESSAGES": "de_DE.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"LC_ALL=C wins over LANG=C.UTF-8", map[string]string{"LC_ALL": "C", "LANG": "C.UTF-8"}, ""},
		{"empty LC_ALL is skipped", map[string]string{"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}, "C"},
		// A LANGUAGE of the user's own is what go-locale uses: keep it.
		{"LANGUAGE set", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "de"}, ""},
		{"LANGUAGE list set", map[string]string{"LC_ALL": "C.UTF-8", "LANGUAGE": "en_GB:en"}, ""},
		{"LANGUAGE empty", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": ""}, "C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := language(func(k string) string { return tt.env[k] })
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("language(%v) = %q, %v; want %q, %v", tt.env, got, ok, tt.want, tt.want != "")
			}
		})
	}
}
