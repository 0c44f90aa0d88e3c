package consent_test

import (
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// A microphone check's Grant is valid until stopped, for every copy, and
// says it may feed a level meter only; no session's Grant says so.
func TestMicCheckGrant(t *testing.T) {
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	c := consent.NewMicCheck(at)
	g := c.Grant()
	if !g.Valid() || !g.CheckOnly() {
		t.Fatalf("a new check's Grant: Valid %v, CheckOnly %v", g.Valid(), g.CheckOnly())
	}
	if g.SessionID() != "" || !g.DeleteOn().IsZero() || g.ExportAllowed() || len(g.ConfirmedBy()) != 0 {
		t.Errorf("the check's Grant names a session, a date, export or people: %q %v %v %v",
			g.SessionID(), g.DeleteOn(), g.ExportAllowed(), g.ConfirmedBy())
	}
	if !g.Covers(consent.PurposeMicCheck) || g.Covers(consent.PurposeReflection) {
		t.Errorf("purposes %v, want only %s", g.Purposes(), consent.PurposeMicCheck)
	}
	if !g.GrantedAt().Equal(at) {
		t.Errorf("GrantedAt %v, want %v", g.GrantedAt(), at)
	}
	copyOfG := g
	c.Stop()
	c.Stop()
	if g.Valid() || copyOfG.Valid() || c.Grant().Valid() {
		t.Error("a stopped check's Grant is still valid")
	}
	if (consent.Grant{}).CheckOnly() {
		t.Error("the zero Grant is check-only")
	}

	s := newSession(t, anna)
	apply(t, s, ask(0), yes(1, anna.ID))
	if grant, ok := s.Grant(); !ok || grant.CheckOnly() {
		t.Errorf("a session's Grant: ok %v, check-only %v", ok, grant.CheckOnly())
	}
}
