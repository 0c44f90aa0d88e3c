package app

import (
	"bytes"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
)

// TestClientReadsTheirLanguage: the therapist chooses a language on the
// start screen; it is stored with the client and offered again next time;
// the client screen, its statement and its buttons are in it, while the
// therapist's screen stays in English; the answer is stored with the
// language and version of the statement shown; the summary is in it too.
func TestClientReadsTheirLanguage(t *testing.T) {
	for _, l := range consent.Languages() {
		if l.Tag == consent.DefaultLanguage {
			continue
		}
		t.Run(l.Tag, func(t *testing.T) {
			tx := clientTextOf(l.Tag)
			f := newSessionFixture(t)
			f.unlockPractice(t)
			st := f.startScreen(t)
			if st.language.chosen() != consent.DefaultLanguage {
				t.Errorf("a new client's language is offered as %q", st.language.chosen())
			}
			st.language.sel.SetSelected(languageLabel(l))
			if !strings.Contains(st.language.status.Text, l.Checked) {
				t.Errorf("the start screen does not say who checked %s: %q", l.Tag, st.language.status.Text)
			}
			test.Type(st.rows[0].name, "Anna")
			test.Tap(st.begin)
			ss, ok := f.u.screen.(*sessionScreen)
			if !ok {
				t.Fatalf("after Start the screen is %T (problem %q)", f.u.screen, st.problem.Text)
			}
			if ss.stop.Text != appText.StopText {
				t.Errorf("the therapist's Stop reads %q, want English", ss.stop.Text)
			}
			test.Tap(ss.ask)
			k := f.u.screen.(*kioskScreen)
			anna := k.run.Participants()[0].ID
			if k.yes[anna].Text != tx.YesText || k.no[anna].Text != tx.NoText {
				t.Errorf("the answers read %q and %q, want %q and %q", k.yes[anna].Text, k.no[anna].Text, tx.YesText, tx.NoText)
			}
			// What the screen shows is, word for word, the statement whose
			// version the answer keeps.
			shown := k.run.Statement()
			for _, p := range append([]string{shown.Title}, shown.Paragraphs...) {
				if !hasLabel(k.body.Objects, p) {
					t.Errorf("the client screen does not show %q of the %s statement", p, l.Tag)
				}
			}
			if !strings.Contains(k.status.Text, tx.MicOffText) {
				t.Errorf("the client screen says %q, want %q", k.status.Text, tx.MicOffText)
			}
			test.Tap(k.no[anna])
			r := k.run.Receipt("")
			if r.StatementLanguage != l.Tag || r.StatementVersion != shown.Version() {
				t.Errorf("the answer keeps statement %q %q, want %q %q", r.StatementLanguage, r.StatementVersion, l.Tag, shown.Version())
			}
			c, err := f.db.Client(k.run.Client().ID)
			if err != nil || c.Language != l.Tag {
				t.Errorf("the client is stored with language %q (%v), want %q", c.Language, err, l.Tag)
			}
			if again := newStartScreen(f.u, c); again.language.chosen() != l.Tag {
				t.Errorf("next time the start screen offers %q, want %q", again.language.chosen(), l.Tag)
			}

			// The summary, the record and its PDF are in the language too.
			ss = newSessionScreen(f.u, k.run)
			f.u.show(ss)
			test.Tap(ss.end)
			if text := strings.Join(visibleTexts(f.u.win), "\n"); !strings.Contains(text, tx.SummaryHeading) || !strings.Contains(text, tx.SummaryNotRecorded) {
				t.Errorf("the summary is not in %s:\n%s", l.Tag, text)
			}
			rec, err := newClientRecordScreen(f.u, c, true)
			if err != nil {
				t.Fatal(err)
			}
			f.u.show(rec)
			today := strings.Fields(tx.longDate(f.u.opt.Now(), f.u.opt.Location))
			if text := strings.Join(visibleTexts(f.u.win), "\n"); !strings.Contains(text, tx.recordScreenTitle(c.Label)) || !strings.Contains(text, tx.RecordModeDeclined) {
				t.Errorf("the record is not in %s:\n%s", l.Tag, text)
			}
			var pdf bytes.Buffer
			if err := writeRecordPDF(&pdf, rec.rec); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(recordPDFText(t, pdf.Bytes())), " ")
			for _, want := range []string{tx.RecordTitle, tx.RecordModeDeclined, today[0]} {
				if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
					t.Errorf("the %s PDF lacks %q:\n%s", l.Tag, want, text)
				}
			}
		})
	}
}

// TestReadAloudInEachLanguage: read aloud, the client screen says so in
// the client's language.
func TestReadAloudInEachLanguage(t *testing.T) {
	for _, l := range consent.Languages() {
		t.Run(l.Tag, func(t *testing.T) {
			f := newSessionFixture(t)
			f.unlockPractice(t)
			st := f.startScreen(t)
			st.language.sel.SetSelected(languageLabel(l))
			st.method.SetSelected(methodChoices[1].label)
			test.Type(st.rows[0].name, "Anna")
			test.Tap(st.begin)
			test.Tap(f.u.screen.(*sessionScreen).ask)
			k := f.u.screen.(*kioskScreen)
			if !hasLabel(k.body.Objects, clientTextOf(l.Tag).ReadAloudText) {
				t.Errorf("the %s client screen does not say the question is read aloud", l.Tag)
			}
			test.Tap(k.yes[k.run.Participants()[0].ID])
			r := k.run.Receipt("")
			if r.Method != consent.CollectionReadAloud || r.Language != l.Tag || r.StatementLanguage != l.Tag {
				t.Errorf("receipt method %v, language %q, statement %q", r.Method, r.Language, r.StatementLanguage)
			}
		})
	}
}

// TestSettingsShowWhoCheckedEachLanguage: the settings list every language
// with who checked its wording.
func TestSettingsShowWhoCheckedEachLanguage(t *testing.T) {
	u, _, _ := settingsUI(t)
	var text []string
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if l, ok := o.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	all := strings.Join(text, "\n")
	for _, l := range consent.Languages() {
		if !strings.Contains(all, languageLabel(l)) || !strings.Contains(all, l.Checked) {
			t.Errorf("the settings do not say who checked %s (%q)", languageLabel(l), l.Checked)
		}
	}
	if !strings.Contains(all, "machine-drafted, not yet reviewed by a native speaker") {
		t.Error("the settings do not say that a language is machine-drafted")
	}
}
