package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataDir(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	abs, _ := filepath.Abs("rel")
	for _, c := range []struct {
		name, flag string
		env        map[string]string
		want       string
	}{
		{"flag wins", "/from/flag", map[string]string{"ASSENT_DATA": "/env", "XDG_DATA_HOME": "/xdg"}, "/from/flag"},
		{"relative flag", "rel", nil, abs},
		{"ASSENT_DATA", "", map[string]string{"ASSENT_DATA": "/env", "XDG_DATA_HOME": "/xdg"}, "/env"},
		{"XDG_DATA_HOME", "", map[string]string{"XDG_DATA_HOME": "/xdg", "HOME": "/home/t"}, "/xdg/assent"},
		{"HOME", "", map[string]string{"HOME": "/home/t"}, "/home/t/.local/share/assent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := dataDir(c.flag, env(c.env))
			if err != nil || got != c.want {
				t.Fatalf("dataDir = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"frobnicate"}, func(string) string { return "" }, &out, &errOut); code != exitUsage {
		t.Errorf("unknown command: exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Errorf("stderr = %q", errOut.String())
	}
	out.Reset()
	for _, arg := range []string{"version", "--version", "-version"} {
		out.Reset()
		if code := run([]string{arg}, func(string) string { return "" }, &out, &errOut); code != exitOK || !strings.HasPrefix(out.String(), "assent "+Version+" (commit ") {
			t.Errorf("%s: exit %d, %q", arg, code, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"help"}, func(string) string { return "" }, &out, &errOut); code != exitOK || !strings.Contains(out.String(), "--data DIR") {
		t.Errorf("help: exit %d, %q", code, out.String())
	}
	if code := run([]string{"gui", "extra"}, func(string) string { return "" }, &out, &errOut); code != exitUsage {
		t.Errorf("gui with an argument: exit %d, want %d", code, exitUsage)
	}
}
