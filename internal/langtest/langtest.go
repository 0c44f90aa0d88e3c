// Package langtest checks translations for tests: that a language's
// wording has every key of the English, none empty, and that each
// sentence keeps the %-verbs of the English it translates. Both consent's
// lang files and the client screen's clientlang files are checked with
// it. It is for tests only.
package langtest

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Compare reports through t each key of en (a struct of strings, arrays
// of strings and nested structs, keyed by their JSON tags) that other
// (the same type) leaves empty, or whose %-verbs differ; file names other
// in the messages.
func Compare(t testing.TB, file string, en, other any) {
	t.Helper()
	want, got := flatten(reflect.ValueOf(en), ""), flatten(reflect.ValueOf(other), "")
	for key, enValue := range want {
		value := got[key]
		if strings.TrimSpace(value) == "" {
			t.Errorf("%s: key %s is missing or empty", file, key)
			continue
		}
		if a, b := Verbs(enValue), Verbs(value); !slices.Equal(a, b) {
			t.Errorf("%s: key %s has verbs %v, English has %v", file, key, b, a)
		}
	}
}

// flatten lists every string of v by its JSON path.
func flatten(v reflect.Value, prefix string) map[string]string {
	out := map[string]string{}
	switch v.Kind() {
	case reflect.Pointer:
		return flatten(v.Elem(), prefix)
	case reflect.String:
		out[prefix] = v.String()
	case reflect.Array, reflect.Slice:
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

// Verbs are the %-verbs of a format, each with its argument number, in
// argument order: "%s %d" and "%[2]d %[1]s" both give [1s 2d].
func Verbs(format string) []string {
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
