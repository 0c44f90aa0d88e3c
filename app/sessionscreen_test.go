package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
)

// TestSomeoneJoinedStopsCaptureFirst: "Someone joined" closes the
// microphone before the form is drawn; Cancel, and a refused join, leave it
// closed, and recording comes back only through everyone's yes on the
// client screen. A refused join leaves no participant row.
func TestSomeoneJoinedStopsCaptureFirst(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recording(t, 300*time.Millisecond)
	test.Tap(k.therapist)
	passphraseInDialog(t, f.u, goodPassphrase)
	ss := f.u.screen.(*sessionScreen)
	if !f.mic.isOpen() {
		t.Fatal("not recording on the therapist's screen: the checks below prove nothing")
	}
	test.Tap(ss.join)
	if f.mic.isOpen() || k.run.Recording() {
		t.Fatal("the microphone is open while the newcomer's name is typed")
	}

	// A minor with no guardian present: refused, nothing stored, still off.
	form := f.u.win.Content()
	var name *widget.Entry
	var role *widget.Select
	var add, cancel *widget.Button
	for _, o := range test.LaidOutObjects(form) {
		switch w := o.(type) {
		case *widget.Entry:
			name = w
		case *widget.Select:
			if role == nil {
				role = w
			}
		case *widget.Button:
			switch w.Text {
			case "Add and ask everyone":
				add = w
			case "Cancel: ask everyone again":
				cancel = w
			}
		}
	}
	if name == nil || role == nil || add == nil || cancel == nil {
		t.Fatal("the join form lacks its name, role, Add or Cancel")
	}
	test.Type(name, "Kim")
	role.SetSelected(consent.RoleMinor.String())
	test.Tap(add)
	if f.mic.isOpen() {
		t.Error("a refused join opened the microphone")
	}
	if stored, _ := f.db.Session(k.run.ID()); len(stored.Participants) != 1 {
		t.Errorf("a refused join left a participant row: %+v", stored.Participants)
	}

	test.Tap(cancel)
	k2, ok := f.u.screen.(*kioskScreen)
	if !ok || k2.run.State() != consent.AwaitingConsent || f.mic.isOpen() {
		t.Fatalf("after Cancel: screen %T, state %v, microphone open %v; want everyone asked again, off", f.u.screen, k.run.State(), f.mic.isOpen())
	}
	test.Tap(k2.yes[k2.run.Participants()[0].ID])
	if !k2.run.Recording() || !f.mic.isOpen() {
		t.Error("everyone's yes did not bring the recording back")
	}
}

// TestNotesCanBeLeftByKeyboard: Tab in the notes box moves on; a keyboard
// user can reach "End the session" from it.
func TestNotesCanBeLeftByKeyboard(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	ss := f.openSession(t, "Anna")
	if ss.notes.AcceptsTab() {
		t.Fatal("the notes box keeps Tab")
	}
	c := f.u.win.Canvas()
	c.Focus(ss.notes)
	test.Type(ss.notes, "She spoke about her week.")
	for range 40 {
		c.FocusNext()
		if c.Focused() == ss.end {
			return
		}
	}
	t.Error("Tab from the notes never reached End the session")
}
