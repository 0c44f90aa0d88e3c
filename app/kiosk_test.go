package app

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/clocktest"
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
	sum := f.endAndAnswer(t, k, consent.EventKeep) // the therapist ends it, after the passphrase
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

// TestDeleteSoonerOffersOnlyEarlierDates: the choices are the date shown
// and dates before it; with a practice that keeps recordings for fewer
// than 7 days there is no "after 7 days", and a yes with any choice offered
// is taken, with the date its label says.
func TestDeleteSoonerOffersOnlyEarlierDates(t *testing.T) {
	for _, keep := range []int{5, 28} {
		t.Run(fmt.Sprintf("keep %d days", keep), func(t *testing.T) {
			f := newSessionFixture(t)
			if err := f.db.SetSetting(settingKeepDays, fmt.Sprint(keep)); err != nil {
				t.Fatal(err)
			}
			f.unlockPractice(t)
			k := f.startSession(t, "Anna")
			shown := k.run.DeleteOn()
			has7 := false
			for _, o := range k.soonerBy[1:] {
				d := k.run.ChoiceDate(o.keepDays, o.endOfToday)
				if !d.Before(shown) {
					t.Errorf("%q offers %v, not before the date shown %v", o.label, d, shown)
				}
				has7 = has7 || o.keepDays == 7
			}
			if has7 != (keep > 7) {
				t.Errorf("keeping %d days, \"after 7 days\" offered: %v", keep, has7)
			}
			last := k.soonerBy[len(k.soonerBy)-1]
			k.sooner.SetSelected(last.label)
			test.Tap(k.yes[k.run.Participants()[0].ID])
			if !k.run.Recording() {
				t.Fatalf("the yes with %q was not taken (problem %q)", last.label, k.problem.Text)
			}
			if want := k.run.ChoiceDate(last.keepDays, last.endOfToday); !k.run.DeleteOn().Equal(want) {
				t.Errorf("recording until %v; the choice said %v", k.run.DeleteOn(), want)
			}
		})
	}
}

// passphraseInDialog types p into the passphrase dialog over the client
// screen and presses "Open", then waits for the check.
func passphraseInDialog(t *testing.T, u *UI, p string) {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no passphrase dialog")
	}
	var entry *widget.Entry
	var open *widget.Button
	for _, o := range test.LaidOutObjects(top) {
		switch w := o.(type) {
		case *widget.Entry:
			if w.Password {
				entry = w
			}
		case *widget.Button:
			if w.Text == passphraseOpen {
				open = w
			}
		}
	}
	if entry == nil || open == nil {
		t.Fatal("the dialog has no passphrase field or no Open button")
	}
	entry.SetText(p)
	test.Tap(open)
	settle(u)
}

// TestClientScreenIsAKiosk: while a client screen is up the window is full
// screen with no menu, and quitting or closing from it needs the
// passphrase; a wrong one changes nothing; the therapist's screens get the
// window and the menu back.
func TestClientScreenIsAKiosk(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	if f.u.win.MainMenu() == nil || f.u.win.FullScreen() {
		t.Fatal("the practice has no menu, or is full screen")
	}
	k := f.startSession(t, "Anna")
	if f.u.win.MainMenu() != nil || !f.u.win.FullScreen() {
		t.Errorf("the client screen: menu %v, full screen %v", f.u.win.MainMenu() != nil, f.u.win.FullScreen())
	}
	test.Tap(k.yes[k.run.Participants()[0].ID])
	for _, quit := range []func(){f.u.requestQuit, f.u.requestClose} {
		quit()
		passphraseInDialog(t, f.u, "not the passphrase")
		if f.u.closing.Load() || !k.run.Recording() {
			t.Fatalf("a quit from the client screen without the passphrase: closing %v, recording %v", f.u.closing.Load(), k.run.Recording())
		}
		f.u.win.Canvas().Overlays().Top().Hide()
	}
	test.Tap(k.therapist)
	passphraseInDialog(t, f.u, goodPassphrase)
	if f.u.win.MainMenu() == nil || f.u.win.FullScreen() {
		t.Errorf("the therapist's screen: menu %v, full screen %v", f.u.win.MainMenu() != nil, f.u.win.FullScreen())
	}
	if !k.run.Recording() {
		t.Error("taking the laptop back stopped the recording")
	}
	f.u.show(newKioskScreen(f.u, k.run))
	f.u.requestQuit()
	passphraseInDialog(t, f.u, goodPassphrase)
	if !f.u.closing.Load() || f.u.run != nil {
		t.Errorf("the right passphrase did not quit: closing %v, session %v", f.u.closing.Load(), f.u.run != nil)
	}
}

// TestClientScreenCannotLockTheTherapistOut: wrong passphrases at the
// client screen pause its dialog for a while, never the therapist's own
// unlock, and Stop works throughout.
func TestClientScreenCannotLockTheTherapistOut(t *testing.T) {
	clock := clocktest.New(time.Now())
	f := newSessionFixture(t)
	f.u.opt.Now = clock.Now
	k := f.recording(t, 300*time.Millisecond)
	test.Tap(k.therapist)
	var paused bool
	for i := range clientFreeTries + 1 {
		passphraseInDialog(t, f.u, fmt.Sprintf("guess %d", i))
		paused = containsText(f.u.win.Canvas().Overlays().Top(), "Please wait")
	}
	if !paused {
		t.Fatal("no pause after many wrong passphrases at the client screen")
	}
	// During the pause even the right passphrase waits…
	passphraseInDialog(t, f.u, goodPassphrase)
	if _, ok := f.u.screen.(*kioskScreen); !ok {
		t.Fatal("the pause let a passphrase through")
	}
	// …Stop does not.
	test.Tap(k.stop)
	if k.run.Recording() {
		t.Fatal("Stop did not stop during the pause")
	}
	clock.Add(clientPauseMax)
	passphraseInDialog(t, f.u, goodPassphrase)
	if _, ok := f.u.screen.(*sessionScreen); !ok {
		t.Fatalf("after the pause the right passphrase leads to %T", f.u.screen)
	}
	// The therapist's own unlock has no back-off from the client screen's
	// tries: it opens at once (back to the session still open).
	f.u.Lock()
	f.unlockPractice(t)
	if _, ok := f.u.screen.(*sessionScreen); !ok {
		t.Fatalf("the therapist's unlock after the client screen's tries leads to %T", f.u.screen)
	}
}

// tabOrder walks the client screen with Tab from nothing focused and
// names what each Tab reaches (what it says), once round.
func tabOrder(t *testing.T, u *UI) []string {
	t.Helper()
	var names []string
	for _, s := range tabStops(u.win.Canvas()) {
		name, err := strconv.Unquote(s.label)
		if err != nil {
			name = s.label
		}
		names = append(names, name)
	}
	return names
}

// TestClientScreenTabOrder: every button of each client screen is reached
// by Tab, the answers first and "For the therapist" last.
func TestClientScreenTabOrder(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	k := f.startSession(t, "Anna", "Ben")
	want := func(state string, got []string, first []string) {
		t.Helper()
		if len(got) < len(first)+1 || strings.Join(got[:len(first)], "|") != strings.Join(first, "|") || got[len(got)-1] != appText.ForTherapistText {
			t.Errorf("%s: Tab reaches %q; want %q first and %q last", state, got, first, appText.ForTherapistText)
		}
	}
	asking := tabOrder(t, f.u)
	// Anna is the client: her quiet third answer follows her two.
	want("asking", asking, []string{appText.YesText, appText.NoText, appText.DontAskText, appText.YesText, appText.NoText})
	if !slicesContain(asking, k.soonerBy[0].label) {
		t.Errorf("asking: Tab never reaches the deletion choice: %q", asking)
	}
	for _, p := range k.run.Participants() {
		test.Tap(k.yes[p.ID])
	}
	waitRecorded(t, k, 200*time.Millisecond)
	want("recording", tabOrder(t, f.u), []string{appText.StopText, appText.PauseText})
	test.Tap(k.stop)
	if f.u.win.Canvas().Focused() != nil {
		t.Errorf("after Stop %T has the focus: an answer chosen for the client", f.u.win.Canvas().Focused())
	}
	want("stopped", tabOrder(t, f.u), []string{k.keep.Text, k.dropLast.Text, k.dropAll.Text})
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
