package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
)

// TestReadAloud: the therapist chooses to read the question aloud. The
// client screen says so, the answers are entered by the therapist (the
// history says who entered them), and the session and its receipt name how
// consent was asked.
func TestReadAloud(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	st := f.startScreen(t)
	test.Type(st.rows[0].name, "Anna")
	st.method.SetSelected(methodChoices[1].label)
	test.Tap(st.begin)
	ss, ok := f.u.screen.(*sessionScreen)
	if !ok {
		t.Fatalf("after Start the screen is %T (problem %q)", f.u.screen, st.problem.Text)
	}
	test.Tap(ss.ask)
	k := f.u.screen.(*kioskScreen)
	if !hasLabel(k.body.Objects, appText.ReadAloudText) {
		t.Error("the client screen does not say the question is read aloud")
	}
	anna := k.run.Participants()[0].ID
	test.Tap(k.no[anna])
	stored, err := f.db.Session(k.run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if session.MethodOf(stored) != consent.CollectionReadAloud {
		t.Errorf("the session is stored as asked %q", stored.Method)
	}
	evs, err := f.db.ConsentEvents(k.run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Kind != "decline" || last.Actor != "therapist" || last.Participant != anna {
		t.Errorf("Anna's no read aloud is stored as %+v; want entered by the therapist for Anna", last)
	}
	if r := k.run.Receipt(""); r.Method != consent.CollectionReadAloud || !strings.Contains(strings.Join(r.Page().Paragraphs, " "), consent.CollectionReadAloud.String()) {
		t.Errorf("the receipt does not say the question was read aloud: %v", r.Page().Paragraphs)
	}
}

// TestGuardianIsChosen: with two guardians in the room, a minor's guardian
// is chosen by name, never guessed; the choice is stored on the minor's row.
func TestGuardianIsChosen(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	st := f.startScreen(t)
	test.Type(st.rows[0].name, "Kim")
	st.rows[0].role.SetSelected(consent.RoleMinor.String())
	for _, name := range []string{"Lee", "Sam"} {
		test.Tap(st.more)
		r := st.rows[len(st.rows)-1]
		test.Type(r.name, name)
		r.role.SetSelected(consent.RoleGuardian.String())
	}
	choice := st.rows[0].guardian
	if !choice.box.Visible() || len(choice.sel.Options) != 2 {
		t.Fatalf("the minor's guardian choice: visible %v, options %v", choice.box.Visible(), choice.sel.Options)
	}
	test.Tap(st.begin)
	if _, ok := f.u.screen.(*startScreen); !ok || !strings.Contains(st.problem.Text, "Kim") {
		t.Fatalf("two guardians and none chosen: screen %T, problem %q", f.u.screen, st.problem.Text)
	}
	choice.sel.SetSelected("Sam")
	test.Tap(st.begin)
	ss, ok := f.u.screen.(*sessionScreen)
	if !ok {
		t.Fatalf("after choosing Sam the screen is %T (problem %q)", f.u.screen, st.problem.Text)
	}
	stored, err := f.db.Session(ss.run.ID())
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, p := range stored.Participants {
		names[p.ID] = p.Name
	}
	if kim := stored.Participants[0]; kim.Name != "Kim" || names[kim.GuardianID] != "Sam" {
		t.Errorf("Kim's guardian is stored as %q, want Sam", names[kim.GuardianID])
	}
}

// hasLabel reports whether one of objs is a label reading text.
func hasLabel(objs []fyne.CanvasObject, text string) bool {
	for _, o := range objs {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			return true
		}
	}
	return false
}
