package consent

import (
	"slices"
	"sync/atomic"
	"time"
)

// Grant is the permission to capture one recording segment of one session.
// Only this package makes Grants, and only when everyone present has said
// yes; the zero Grant is invalid. (The therapist's microphone check has a
// [CheckGrant] instead, which is not a Grant.) A Grant is a small handle: copies share
// the same revocation, so when the session revokes it (pause, withdrawal,
// notes only, a join, the end) every copy's Valid turns false at once.
//
// All methods are safe for concurrent use; Valid is cheap enough to call for
// every audio frame.
type Grant struct {
	g *grant
}

// grant is immutable after creation except for revoked.
type grant struct {
	sessionID   string
	serial      int
	confirmedBy []string
	purposes    []Purpose
	export      bool
	grantedAt   time.Time
	deleteOn    time.Time
	revoked     atomic.Bool
}

// Valid reports whether capture may continue under g. It is false for the
// zero Grant and forever false once the session has revoked g.
func (g Grant) Valid() bool { return g.g != nil && !g.g.revoked.Load() }

// SessionID is the session the Grant belongs to ("" for the zero Grant).
func (g Grant) SessionID() string {
	if g.g == nil {
		return ""
	}
	return g.g.sessionID
}

// Serial numbers the session's recording segments: 1 for the first Grant of
// a session, 2 for the next (after a pause, or a fresh round of consent),
// and so on. It is 0 for the zero Grant.
func (g Grant) Serial() int {
	if g.g == nil {
		return 0
	}
	return g.g.serial
}

// ConfirmedBy returns the IDs of the participants whose yes this Grant rests
// on, in the session's participant order: every participant present when
// it was made. A minor's entry is their own assent; it counts only because
// their guardian is always listed too.
func (g Grant) ConfirmedBy() []string {
	if g.g == nil {
		return nil
	}
	return slices.Clone(g.g.confirmedBy)
}

// Purposes returns what the recording may be used for, with who may listen.
func (g Grant) Purposes() []Purpose {
	if g.g == nil {
		return nil
	}
	return slices.Clone(g.g.purposes)
}

// Covers reports whether the consent included the purpose with this ID (for
// example PurposeSupervision before playing to a supervisor).
func (g Grant) Covers(purposeID string) bool {
	if g.g == nil {
		return false
	}
	return slices.ContainsFunc(g.g.purposes, func(u Purpose) bool { return u.ID == purposeID })
}

// ExportAllowed reports whether the consent allows giving an encrypted copy
// to the therapist's supervisor: the policy offered supervision export and
// supervision was a purpose agreed to. It does not depend on Valid: a
// recording keeps the permissions it was made under.
func (g Grant) ExportAllowed() bool { return g.g != nil && g.g.export }

// GrantedAt is the time of the event that made the Grant (the last yes, or
// the resume).
func (g Grant) GrantedAt() time.Time {
	if g.g == nil {
		return time.Time{}
	}
	return g.g.grantedAt
}

// DeleteOn is the instant by which what is recorded under g must be gone:
// the start of the deletion day in the session's time zone. It is never
// later than the DeleteOn of an earlier Grant of the same session.
func (g Grant) DeleteOn() time.Time {
	if g.g == nil {
		return time.Time{}
	}
	return g.g.deleteOn
}

// revoke makes g invalid for good; revoking twice is harmless.
func (g Grant) revoke() {
	if g.g != nil {
		g.g.revoked.Store(true)
	}
}
