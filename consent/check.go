package consent

import "time"

// PurposeMicCheck is the only purpose of a microphone check's Grant:
// showing the therapist their microphone's level, with nothing kept.
const PurposeMicCheck = "microphone-check"

// MicCheck is the therapist's own go-ahead to open the microphone for a
// moment, alone, to see that it hears them: the level test of the settings
// screen, before any client is in the room. Nobody else's yes is asked for,
// so nothing captured under it may be kept. Its Grant says so
// ([Grant.CheckOnly]): the recorder refuses it (audio.Start), and only a
// level meter (audio.Monitor) takes it. Like any Grant it stops capture
// on the next frame once revoked ([MicCheck.Stop]).
type MicCheck struct {
	grant Grant
}

// NewMicCheck starts a check at the therapist's request, at time at.
func NewMicCheck(at time.Time) *MicCheck {
	return &MicCheck{grant: Grant{g: &grant{
		confirmedBy: []string{},
		purposes:    []Purpose{{ID: PurposeMicCheck}},
		grantedAt:   at,
		checkOnly:   true,
	}}}
}

// Grant is the check's Grant: valid until Stop, for a level meter only. It
// names no session (SessionID is "") and has no deletion date, because
// nothing is kept.
func (c *MicCheck) Grant() Grant { return c.grant }

// Stop ends the check: its Grant turns invalid for every copy at once.
// Stopping twice is harmless.
func (c *MicCheck) Stop() { c.grant.revoke() }
