package app

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/ink"
	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/storage"
)

// Distinctive words: one in the progress notes, one in the process notes.
const (
	progressWord = "Kestrelwood"
	processWord  = "Quillmarrow"
)

// screenTexts is every text shown under c: labels, rich text, entries,
// buttons, checks and hyperlinks, hidden ones too.
func screenTexts(c fyne.CanvasObject) string {
	var b strings.Builder
	for _, obj := range test.LaidOutObjects(c) {
		switch w := obj.(type) {
		case *widget.Label:
			b.WriteString(w.Text)
		case *widget.RichText:
			b.WriteString(w.String())
		case *widget.Entry:
			b.WriteString(w.Text)
		case *widget.Button:
			b.WriteString(w.Text)
		case *widget.Check:
			b.WriteString(w.Text)
		case *widget.Hyperlink:
			b.WriteString(w.Text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestProcessNotesKeptApartOnScreen: typed process notes have their own
// tab, marked private; a handwritten page made a process note is marked
// and coloured so, keeps its kind when saved and reopened, and a new page
// after it is of its kind.
func TestProcessNotesKeptApartOnScreen(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	ss := f.openSession(t, "Anna")
	test.Tap(ss.notesBtn)
	test.Type(ss.notes, "Progress: "+progressWord)
	test.Type(ss.process, "Process: "+processWord)
	if strings.Contains(screenTexts(f.u.win.Content()), processMarkText) {
		t.Error("the progress notes are marked private")
	}
	ss.tabs.SelectIndex(1)
	if !strings.Contains(screenTexts(f.u.win.Content()), processMarkText) {
		t.Error("the process notes' tab is not marked private")
	}
	p := ss.ink
	p.canvas.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(40, 40)}, Dragged: fyne.NewDelta(30, 30)})
	p.canvas.DragEnd()
	if p.privateMark.Visible() || p.private.Checked {
		t.Fatal("a new page is marked private")
	}
	test.Tap(p.add)
	test.Tap(p.private)
	if !p.privateMark.Visible() || p.canvas.kind() != ink.Process {
		t.Fatal("the page ticked private is not marked so")
	}
	p.canvas.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(60, 60)}, Dragged: fyne.NewDelta(30, 30)})
	p.canvas.DragEnd()
	test.Tap(p.add)
	if p.canvas.kind() != ink.Process {
		t.Error("a page added after a process page is not a process page")
	}
	test.Tap(p.prev)
	test.Tap(p.prev)
	if p.privateMark.Visible() || p.private.Checked {
		t.Error("turning back to the progress page still shows it private")
	}
	ss.saveNotes()
	n, err := f.db.Notes(ss.run.ID())
	if err != nil || !strings.Contains(n.Text, progressWord) || strings.Contains(n.Text, processWord) || !strings.Contains(n.Process, processWord) {
		t.Fatalf("stored %+v, %v", n, err)
	}
	pages, err := ink.Decode(n.Ink)
	if err != nil || len(pages) != 3 || pages[0].Kind != ink.Progress || pages[1].Kind != ink.Process || pages[2].Kind != ink.Process {
		t.Fatalf("stored pages %+v, %v", pages, err)
	}
	again := newSessionScreen(f.u, ss.run)
	if again.process.Text != n.Process || again.notes.Text != n.Text {
		t.Errorf("reopened with %q and %q", again.notes.Text, again.process.Text)
	}
	again.ink.turn(+1)
	if !again.ink.private.Checked || !again.ink.privateMark.Visible() {
		t.Error("the reopened process page is not marked private")
	}
}

// TestProcessNotesNeverLeave writes a progress note and a process note,
// each with a distinctive word, typed and handwritten, then makes every
// output Assent has for a client — the client's record on the therapist's
// screen and on the client screen, its PDF receipt and the Kantara consent
// receipts (with the progress notes included, as the therapist may
// choose), and the supervision export, decrypted — and scans each for the
// process note's word. The progress word is looked for too where progress
// notes were included, so that a scan that finds nothing means something.
// (A client's copy of a recording is not in this version of Assent; it
// would hold audio only, like the export.)
func TestProcessNotesNeverLeave(t *testing.T) {
	clock := clocktest.New(time.Now())
	u, db := unlockedClockUI(t, clock)
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection, consent.PurposeSupervision}, clock.Now().Add(72*time.Hour))
	sheets := []ink.Sheet{
		{Strokes: []ink.Stroke{{Width: ink.PenWidth, Points: []ink.Point{{X: 100, Y: 100}, {X: 9000, Y: 9000}}}}},
		{Kind: ink.Process, Strokes: []ink.Stroke{{Width: ink.PenWidth, Points: []ink.Point{{X: 500, Y: 100}, {X: 600, Y: 9000}}}}},
	}
	blob, err := ink.Encode(sheets)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveNotes(rec.SessionID, storage.Notes{Text: "Slept better. " + progressWord, Process: "My hunch: " + processWord, Ink: blob}); err != nil {
		t.Fatal(err)
	}
	ss, err := db.Session(rec.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	client, err := db.Client(ss.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	u.Start()
	unlockToPractice(t, u)

	type output struct {
		name         string
		text         string
		wantProgress bool
	}
	var outputs []output

	// The client's record, on screen, with the progress notes ticked in.
	rs, err := newClientRecordScreen(u, client, false)
	if err != nil {
		t.Fatal(err)
	}
	u.show(rs)
	outputs = append(outputs, output{"the record on screen, without notes", screenTexts(u.win.Content()), false})
	test.Tap(rs.progress)
	if !rs.progress.Checked {
		t.Fatalf("progress notes not included: %q", rs.problem.Text)
	}
	outputs = append(outputs, output{"the record on screen", screenTexts(u.win.Content()), true})
	test.Tap(rs.showToo)
	outputs = append(outputs, output{"the record on the client screen", screenTexts(u.win.Content()), true})

	// Its PDF receipt (the text pdftotext reads, and the raw bytes) and
	// the Kantara receipts, as Save writes them.
	var pdf bytes.Buffer
	if err := writeRecordPDF(&pdf, rs.rec); err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, output{"the PDF receipt", recordPDFText(t, pdf.Bytes()), true})
	outputs = append(outputs, output{"the PDF receipt's bytes", pdf.String(), false})
	kantara, err := rs.rec.kantaraJSON()
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, output{"the Kantara receipts", string(kantara), false})

	// The supervision export, decrypted.
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	var sealed bytes.Buffer
	if err := exportRecording(db, rec.ID, id.Recipient(), nopCloser{&sealed}); err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(&sealed, id)
	if err != nil {
		t.Fatal(err)
	}
	exported, err := io.ReadAll(r)
	if err != nil || len(exported) == 0 {
		t.Fatalf("the export decrypts to %d bytes, %v", len(exported), err)
	}
	outputs = append(outputs, output{"the supervision export", string(exported), false})

	for _, o := range outputs {
		if strings.Contains(strings.ToLower(o.text), strings.ToLower(processWord)) {
			t.Errorf("%s holds the process notes", o.name)
		}
		if o.wantProgress && !strings.Contains(o.text, progressWord) {
			t.Errorf("%s lacks the progress notes the therapist chose to include", o.name)
		}
	}
}

// TestTemplates: SOAP, DAP, BIRP and the practice's own template (typed in
// the settings) insert their headings into the progress notes, after what
// is written, and nothing else; the process notes are left alone.
func TestTemplates(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	st := newSettingsScreen(f.u)
	f.u.show(st)
	st.template.SetText("Presenting concern\n\n  Risk:  \nPlan")
	test.Tap(st.save)
	if v, _, _ := f.db.Setting(settingNotesTemplate); v != "Presenting concern\nRisk\nPlan" {
		t.Fatalf("stored template %q (problem %q)", v, st.problem.Text)
	}
	st.template.SetText(strings.Repeat("Heading\n", maxTemplateHeadings+1))
	test.Tap(st.save)
	if !strings.Contains(st.problem.Text, "keep it to 20") {
		t.Errorf("a template of 21 headings: problem %q", st.problem.Text)
	}
	f.u.show(newPracticeScreen(f.u))

	ss := f.openSession(t, "Anna")
	test.Tap(ss.notesBtn)
	if got := ss.template.Options; strings.Join(got, "|") != "SOAP|DAP|BIRP|"+practiceTemplateName {
		t.Fatalf("templates offered: %q", got)
	}
	test.Type(ss.process, "private")
	for _, c := range []struct {
		name, before, want string
	}{
		{"SOAP", "", "Subjective:\n\nObjective:\n\nAssessment:\n\nPlan:\n"},
		{"DAP", "Arrived late.", "Arrived late.\n\nData:\n\nAssessment:\n\nPlan:\n"},
		{"BIRP", "Two lines\n", "Two lines\n\nBehaviour:\n\nIntervention:\n\nResponse:\n\nPlan:\n"},
		{practiceTemplateName, "x\n\n", "x\n\nPresenting concern:\n\nRisk:\n\nPlan:\n"},
	} {
		ss.notes.SetText(c.before)
		ss.template.SetSelected(c.name)
		if ss.notes.Text != c.want {
			t.Errorf("%s after %q: %q, want %q", c.name, c.before, ss.notes.Text, c.want)
		}
		if ss.template.Selected != "" {
			t.Errorf("%s stays selected", c.name)
		}
	}
	if ss.process.Text != "private" {
		t.Errorf("a template changed the process notes: %q", ss.process.Text)
	}
	// "x", "", "Presenting concern:", then the line to write on.
	if ss.notes.CursorRow != 3 {
		t.Errorf("the cursor is on row %d, want 3: under the first heading", ss.notes.CursorRow)
	}
}

// TestSearchOpensTheNote: from the practice, a search of a client's notes
// finds a word across sessions, in both kinds of notes, and a result opens
// that session's notes at the line found, where the therapist may go on
// writing; Back saves and returns to the results.
func TestSearchOpensTheNote(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	u, db := unlockedClockUI(t, clock)
	c, err := db.CreateClient("C.D.")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, n := range []storage.Notes{
		{Text: "Arrived early.\nSpoke of the lighthouse again."},
		{Text: "Quiet.", Process: "Line one\nline two\nWhy the LIGHTHOUSE?"},
	} {
		clock.Add(time.Duration(i+1) * 24 * time.Hour)
		ss, err := db.CreateSession(c.ID, storage.Participant{Name: "Cara", Role: "client"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EndSession(ss.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveNotes(ss.ID, n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ss.ID)
	}
	u.Start()
	p := unlockToPractice(t, u)
	p.list.Select(0)
	test.Tap(findButton(t, u, "Search this client's notes"))
	s, ok := u.screen.(*notesSearchScreen)
	if !ok {
		t.Fatalf("the screen is %T", u.screen)
	}
	test.Type(s.query, "lighthouse")
	test.Tap(s.find)
	if len(s.matches) != 2 || s.summary.Text != "2 lines found, in 2 sessions." {
		t.Fatalf("found %+v: %q", s.matches, s.summary.Text)
	}
	first := s.describe(s.matches[0])
	if !strings.Contains(first, "process notes (private): Why the LIGHTHOUSE?") || !strings.HasPrefix(first, "Thursday 5 March 2026") {
		t.Errorf("the newest result reads %q", first)
	}
	s.results.Select(0)
	ns, ok := u.screen.(*notesScreen)
	if !ok {
		t.Fatalf("a result opened %T", u.screen)
	}
	if ns.tabs.SelectedIndex() != 1 || ns.process.CursorRow != 2 || u.win.Canvas().Focused() != ns.process {
		t.Errorf("opened on tab %d at row %d", ns.tabs.SelectedIndex(), ns.process.CursorRow)
	}
	test.Type(ns.process, "Ask next time. ")
	test.Tap(ns.back)
	if u.screen != s {
		t.Errorf("Back went to %T", u.screen)
	}
	n, err := db.Notes(ids[1])
	if err != nil || n.Process != "Line one\nline two\nAsk next time. Why the LIGHTHOUSE?" {
		t.Errorf("saved %q, %v", n.Process, err)
	}
	s.results.Select(1)
	if ns := u.screen.(*notesScreen); ns.tabs.SelectedIndex() != 0 || ns.notes.CursorRow != 1 {
		t.Errorf("the progress result opened on tab %d at row %d", ns.tabs.SelectedIndex(), ns.notes.CursorRow)
	}
	s.query.SetText("nowhere")
	test.Tap(s.find)
	if len(s.matches) != 0 || s.summary.Text != "Nothing found." {
		t.Errorf("found %d: %q", len(s.matches), s.summary.Text)
	}
}
