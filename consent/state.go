package consent

import "fmt"

// State is where a session stands. The zero State is AwaitingConsent, where
// every session begins.
type State int

// States of a session.
const (
	// AwaitingConsent: nothing is captured; the question is (or is about to
	// be) on the client screen, and answers are being collected.
	AwaitingConsent State = iota
	// Recording: everyone present has said yes; capture is on under the
	// session's current Grant.
	Recording
	// Paused: capture is off for a moment; Resume restarts it under a new
	// Grant without asking again.
	Paused
	// NotesOnly: nothing is captured; the session continues with notes. Only
	// EventReAsk leads back towards recording.
	NotesOnly
	// Ended: the session is over and accepts no event.
	Ended
	// Confirming: the session is over, something was recorded, and the
	// policy asks each recorded person at the end whether to keep it
	// (EventKeep, EventDiscard). Nothing is captured; until everyone has
	// said keep, the recording is unconfirmed and may not be played or
	// exported. An EventEnd here closes the question unanswered, and the
	// policy's KeepUnconfirmed decides.
	Confirming
)

var stateNames = [...]string{
	AwaitingConsent: "awaiting-consent",
	Recording:       "recording",
	Paused:          "paused",
	NotesOnly:       "notes-only",
	Ended:           "ended",
	Confirming:      "confirming",
}

// States returns every state, in declaration order.
func States() []State {
	return []State{AwaitingConsent, Recording, Paused, NotesOnly, Ended, Confirming}
}

// String returns a stable lowercase name for logs and storage
// ("awaiting-consent", "notes-only"); it is not meant for display.
func (s State) String() string {
	if s < AwaitingConsent || s > Confirming {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}
