package app

import (
	"strings"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

func TestRecoveryNotice(t *testing.T) {
	if got := recoveryNotice(nil, 0, 0); got != "" {
		t.Errorf("no recovery: %q", got)
	}
	got := recoveryNotice([]storage.Recovery{{Outcome: storage.OutcomeRecovered}, {Outcome: storage.OutcomeErased}}, 0, 0)
	for _, want := range []string{"1 recording interrupted", "was recovered", "1 unfinished recording could not be kept and was deleted"} {
		if !strings.Contains(got, want) {
			t.Errorf("notice %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "no record") {
		t.Errorf("notice %q speaks of files without a record", got)
	}
	got = recoveryNotice(nil, 2, 0)
	for _, want := range []string{"2 recording files had no record", "nobody could play them; they were removed", "assent verify"} {
		if !strings.Contains(got, want) {
			t.Errorf("notice %q lacks %q", got, want)
		}
	}
	if got = recoveryNotice(nil, 0, 1); got != "1 session left open when Assent stopped unexpectedly was ended as of its last step. " {
		t.Errorf("notice %q", got)
	}
}
