package storage

import (
	"slices"
	"testing"
	"time"
)

// The audit rows that verification and the sealing of older keys read:
// as this version writes them, and as older versions did (to the second,
// without purposes).
func TestParseAuditedTerms(t *testing.T) {
	at := time.Date(2026, 4, 1, 9, 30, 0, 500, time.UTC)
	for detail, want := range map[string]auditedTerms{
		"session s1 segment 2; delete on 2026-04-01T09:30:00Z":                                    {session: "s1", deleteOn: at.Truncate(time.Second)},
		"session s1 segment 2; delete on 2026-04-01T09:30:00.0000005Z; purposes [\"a\",\"b; c\"]": {session: "s1", deleteOn: at, purposes: []string{"a", "b; c"}, hasPurposes: true},
	} {
		got, ok := parseStarted(detail)
		if !ok || got.session != want.session || !got.deleteOn.Equal(want.deleteOn) || !slices.Equal(got.purposes, want.purposes) || got.hasPurposes != want.hasPurposes {
			t.Errorf("parseStarted(%q) = %+v, %v; want %+v", detail, got, ok, want)
		}
	}
	for _, bad := range []string{"", "session s1; delete on 2026-04-01T09:30:00Z", "session s1 segment 2; delete on tomorrow"} {
		if _, ok := parseStarted(bad); ok {
			t.Errorf("parseStarted(%q) accepted", bad)
		}
	}
	for detail, want := range map[string]time.Time{
		"2 recording(s) now deleted by 2026-04-01T09:30:00Z":                                 at.Truncate(time.Second),
		"1 recording(s) now deleted by 2026-04-01T09:30:00.0000005Z; sealed with their keys": at,
	} {
		if got, ok := parseShortened(detail); !ok || !got.Equal(want) {
			t.Errorf("parseShortened(%q) = %v, %v; want %v", detail, got, ok, want)
		}
	}
}
