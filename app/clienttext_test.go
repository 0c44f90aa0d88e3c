package app

import (
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/session"
)

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                              "0 seconds",
		time.Second:                    "1 second",
		65 * time.Second:               "1 minute 5 seconds",
		20 * time.Minute:               "20 minutes",
		time.Hour:                      "1 hour",
		time.Hour + 59*time.Minute + 8: "1 hour 59 minutes",
		2*time.Hour + time.Minute:      "2 hours 1 minute",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestEveryProblemHasItsSentence: each kind of session.Problem reads as
// its own sentence, in every language; only a step not stored reads as
// the general one.
func TestEveryProblemHasItsSentence(t *testing.T) {
	u, _ := newTestUI(t)
	for tag, tx := range clientTexts {
		seen := map[string]session.Kind{}
		for k := session.KindNotStarted; k <= session.KindClockBehind; k++ {
			got := tx.problemText(&session.Problem{Kind: k, Kept: 90 * time.Second, DeleteOn: time.Date(2026, 12, 27, 0, 0, 0, 0, time.UTC)}, time.UTC)
			if (got == tx.StepNotSavedText) != (k == session.KindStepNotStored) {
				t.Errorf("%s: kind %d reads %q", tag, k, got)
			}
			if other, ok := seen[got]; ok {
				t.Errorf("%s: kinds %d and %d read the same: %q", tag, other, k, got)
			}
			seen[got] = k
			if strings.TrimSpace(got) == "" || got == tx.NotPossibleText {
				t.Errorf("%s: kind %d reads %q", tag, k, got)
			}
		}
	}
	if got := u.problemText(&session.Problem{Kind: session.KindMicrophoneSilent, Kept: 90 * time.Second, DeleteOn: time.Date(2026, 12, 27, 12, 0, 0, 0, time.UTC)}); !strings.Contains(got, "The 1 minute 30 seconds recorded before that is kept until Sunday 27 December 2026.") {
		t.Errorf("a silent microphone reads %q", got)
	}
}
