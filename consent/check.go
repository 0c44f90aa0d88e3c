package consent

import (
	"sync/atomic"
	"time"
)

// MicCheck is the therapist's own go-ahead to open the microphone for a
// moment, alone, to see that it hears them: the level test of the settings
// screen, before any client is in the room. Nobody else's yes is asked for,
// so nothing captured under it may be kept. That is why its permission is
// a [CheckGrant] and not a [Grant]: a microphone opens for a recording only
// with a Grant (audio's Mic.Open, audio.Start), and what a CheckGrant opens
// gives out levels and never sound (audio's Meterable.OpenMeter). Like a
// Grant, it stops capture on the next frame once revoked ([MicCheck.Stop]).
type MicCheck struct {
	grant CheckGrant
}

// NewMicCheck starts a check at the therapist's request, at time at.
func NewMicCheck(at time.Time) *MicCheck {
	return &MicCheck{grant: CheckGrant{c: &check{startedAt: at}}}
}

// Grant is the check's permission: valid until Stop, for a level meter
// only.
func (c *MicCheck) Grant() CheckGrant { return c.grant }

// Stop ends the check: its CheckGrant turns invalid for every copy at
// once. Stopping twice is harmless.
func (c *MicCheck) Stop() { c.grant.c.stopped.Store(true) }

// CheckGrant is a [MicCheck]'s permission to open a microphone for a level
// meter, and for nothing else. It is a type of its own, which no
// conversion turns into a Grant, so no code can hand it to what records:
// the compiler refuses. It names no session, no person and no deletion
// date, because nothing heard under it is kept.
//
// Copies share the check's end: after [MicCheck.Stop] every copy's Valid
// is false. The zero CheckGrant is invalid. Its methods are safe for
// concurrent use; Valid is cheap enough for every audio frame.
type CheckGrant struct {
	c *check
}

// check is immutable after creation except for stopped. Its shape differs
// from grant's, so that CheckGrant and Grant are not convertible.
type check struct {
	startedAt time.Time
	stopped   atomic.Bool
}

// Valid reports whether the level check may go on: false for the zero
// CheckGrant and forever false once the check is stopped.
func (g CheckGrant) Valid() bool { return g.c != nil && !g.c.stopped.Load() }

// StartedAt is when the therapist asked for the check (zero for the zero
// CheckGrant).
func (g CheckGrant) StartedAt() time.Time {
	if g.c == nil {
		return time.Time{}
	}
	return g.c.startedAt
}
