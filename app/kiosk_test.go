package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// visibleTexts returns every text shown by the window's content and
// overlays: labels, buttons, entries, radio options, rich text.
func visibleTexts(w fyne.Window) []string {
	var out []string
	objs := test.LaidOutObjects(w.Content())
	for _, o := range w.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *bigButton:
			out = append(out, v.Text)
		case *widget.Entry:
			out = append(out, v.Text, v.PlaceHolder)
		case *widget.RadioGroup:
			out = append(out, v.Options...)
		case *widget.Select:
			out = append(out, v.Options...)
		case *widget.RichText:
			out = append(out, v.String())
		}
	}
	return out
}

// TestClientScreenShowsNothingOfThePractice walks every widget on the client
// screen, in every state it goes through, for another client's label.
func TestClientScreenShowsNothingOfThePractice(t *testing.T) {
	f := newSessionFixture(t)
	if _, err := f.db.CreateClient("OTHER-CLIENT-LABEL"); err != nil {
		t.Fatal(err)
	}
	f.unlockPractice(t)
	p := f.u.screen.(*practiceScreen)
	for i, c := range p.clients {
		if c.Label == "A.B." {
			p.list.Select(i)
		}
	}
	test.Tap(p.start)
	st := f.u.screen.(*startScreen)
	test.Type(st.rows[0].name, "Anna")
	test.Tap(st.begin)
	test.Tap(f.u.screen.(*sessionScreen).ask)
	k := f.u.screen.(*kioskScreen)

	check := func(stage string) {
		t.Helper()
		texts := visibleTexts(f.u.win)
		if len(texts) < 3 {
			t.Fatalf("%s: only %d texts found: the walk is broken", stage, len(texts))
		}
		for _, s := range texts {
			if strings.Contains(s, "OTHER-CLIENT-LABEL") || strings.Contains(s, "Data folder") {
				t.Errorf("%s: the client screen shows %q", stage, s)
			}
		}
	}
	check("asking")
	test.Tap(k.yes[k.run.Participants()[0].ID])
	waitRecorded(t, k, 500*time.Millisecond)
	check("recording")
	test.Tap(k.stop)
	check("choosing")
	test.Tap(k.keep)
	check("notes only")

	// Leaving needs the passphrase: a wrong one keeps the client screen.
	test.Tap(k.therapist)
	check("passphrase dialog")
	var pass *widget.Entry
	for _, o := range test.LaidOutObjects(f.u.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok && e.Password {
			pass = e
		}
	}
	if pass == nil {
		t.Fatal("no passphrase field")
	}
	test.Type(pass, "wrong passphrase!")
	pass.TypedKey(&fyneKeyEvent)
	settle(f.u)
	if _, ok := f.u.screen.(*kioskScreen); !ok {
		t.Fatalf("a wrong passphrase left the client screen for %T", f.u.screen)
	}
	test.Type(pass, goodPassphrase)
	pass.TypedKey(&fyneKeyEvent)
	settle(f.u)
	if _, ok := f.u.screen.(*sessionScreen); !ok {
		t.Fatalf("the right passphrase gives %T", f.u.screen)
	}
}

// TestEndOfSessionSummary: the client is told what was recorded, for how
// long and until when, sees the receipt, and "Done" locks the practice.
func TestEndOfSessionSummary(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recordAndStop(t, 2*time.Second)
	test.Tap(k.keep)
	ss := newSessionScreen(f.u, k.run) // the therapist, after the passphrase
	f.u.show(ss)
	test.Tap(ss.end)
	sum, ok := f.u.screen.(*summaryScreen)
	if !ok {
		t.Fatalf("after End the screen is %T", f.u.screen)
	}
	text := strings.Join(visibleTexts(f.u.win), "\n")
	deleteOn := k.run.DeleteOn()
	for _, want := range []string{"Today's session was recorded for", "deleted on " + longDate(f.u, deleteOn), "stopped the recording"} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, text)
		}
	}
	test.Tap(sum.done)
	if f.db.Unlocked() {
		t.Error("Done did not lock the practice")
	}
	if _, ok := f.u.screen.(*unlockScreen); !ok {
		t.Errorf("after Done the screen is %T", f.u.screen)
	}
}
