package app

import (
	"bytes"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/storage"
)

// clientRecordScreen is a client's record — "was I recorded?" — for every
// session: whether it was recorded, for how long, when it was or will be
// deleted, how often it was played, and each consent step. The therapist
// sees it with buttons to save it as a PDF receipt or the consent receipts
// as JSON; on the client screen (kiosk) it is shown in large type with
// nothing else, and leaving needs the passphrase.
type clientRecordScreen struct {
	ui     *UI
	client storage.Client
	rec    clientRecord
	kiosk  bool

	// progress shows each session's progress notes in the record (never
	// process notes); off until the therapist ticks it.
	progress  *widget.Check
	plain     clientRecord
	savePDF   *widget.Button
	saveJSON  *widget.Button
	showToo   *widget.Button
	back      *widget.Button
	therapist *widget.Button
	problem   *widget.Label
	// copyOf chooses a recording that holds only the client's voice, and
	// giveCopy turns the laptop to the client to make their copy; both
	// hidden when there is none.
	copyOf   *widget.Select
	giveCopy *widget.Button
	copyable []storage.Recording
}

// newClientRecordScreen reads client c's record; kiosk shows it on the client
// screen.
func newClientRecordScreen(u *UI, c storage.Client, kiosk bool) (*clientRecordScreen, error) {
	rec, err := u.clientRecord(c.ID)
	if err != nil {
		return nil, err
	}
	if name, ok, err := u.db.Setting(settingPracticeName); err == nil && ok {
		rec.practice = name
	}
	s := &clientRecordScreen{ui: u, client: c, rec: rec, plain: rec, kiosk: kiosk, problem: newProblemLabel()}
	s.progress = widget.NewCheck("Include each session's progress notes (process notes are never included)", s.includeProgress)
	s.savePDF = widget.NewButton("Save as a PDF receipt…", func() { s.save("pdf") })
	s.saveJSON = widget.NewButton("Save the consent receipts (JSON)…", func() { s.save("json") })
	s.showToo = widget.NewButton("Show it on the client screen", s.showToClient)
	s.back = widget.NewButton("Back", func() { u.show(newPracticeScreen(u)) })
	s.therapist = widget.NewButton(s.rec.text().ForTherapistText, func() {
		u.askPassphrase(func() { u.show(newPracticeScreen(u)) })
	})
	s.therapist.Importance = widget.LowImportance
	if !kiosk {
		var labels []string
		s.copyable, labels = rec.copyable(u)
		s.copyOf = widget.NewSelect(labels, nil)
		s.giveCopy = widget.NewButton("Give the client a copy (they choose the passphrase)", s.showCopyToClient)
		if len(labels) > 0 {
			s.copyOf.SetSelectedIndex(0)
		} else {
			s.copyOf.Hide()
			s.giveCopy.Hide()
		}
	}
	return s, nil
}

// showCopyToClient turns the laptop to the client to make their copy of
// the recording chosen.
func (s *clientRecordScreen) showCopyToClient() {
	i := s.copyOf.SelectedIndex()
	if i < 0 || i >= len(s.copyable) {
		return
	}
	s.ui.show(newClientCopyScreen(s.ui, s.client, s.copyable[i]))
}

func (s *clientRecordScreen) content() fyne.CanvasObject {
	parts := []fyne.CanvasObject{heading(s.rec.text().recordScreenTitle(s.rec.client))}
	if len(s.rec.sessions) == 0 {
		parts = append(parts, wrapped(s.rec.text().RecordScreenNoSessions))
	}
	for i := len(s.rec.sessions) - 1; i >= 0; i-- { // newest first on screen
		sess := s.rec.sessions[i]
		parts = append(parts, widget.NewSeparator(), heading(s.rec.heading(sess)))
		form := widget.NewForm()
		for _, f := range s.rec.facts(sess) {
			v := wrapped(f.value)
			form.Append(f.label, v)
		}
		parts = append(parts, form)
		if sess.progress != "" {
			parts = append(parts, boldWrapped(s.rec.text().RecordProgressHeading), wrapped(sess.progress))
		}
		steps := s.rec.consentSteps(sess)
		switch {
		case len(steps) == 0:
		case s.kiosk:
			// The client reads every step: nothing to open or close,
			// nothing more to reach by keyboard.
			parts = append(parts, boldWrapped(s.rec.text().RecordConsentHeading))
			parts = append(parts, labels(steps)...)
		default:
			acc := widget.NewAccordion(widget.NewAccordionItem(s.rec.text().RecordConsentHeading, container.NewVBox(labels(steps)...)))
			parts = append(parts, acc)
		}
	}
	if s.rec.auditHead != "" {
		parts = append(parts, widget.NewSeparator(), wrapped(fmt.Sprintf(s.rec.text().RecordAuditHead, s.rec.auditHead)))
	}
	column := clientColumn(container.NewVBox(parts...))
	if s.kiosk {
		page := container.NewBorder(nil, container.NewHBox(s.therapist), nil, nil, container.NewVScroll(column))
		return inLargeType(s.ui.app, page)
	}
	buttons := container.NewHBox(s.back, s.showToo, s.savePDF, s.saveJSON)
	copyRow := container.NewBorder(nil, nil, nil, s.giveCopy, s.copyOf)
	return container.NewBorder(container.NewVBox(buttons, copyRow, s.progress, s.problem), nil, nil, nil, container.NewVScroll(column))
}

// includeProgress adds each session's progress notes to the record, or
// takes them out again, and shows it anew.
func (s *clientRecordScreen) includeProgress(on bool) {
	s.rec = s.plain
	if on {
		rec, err := s.ui.withProgressNotes(s.plain)
		if err != nil {
			s.ui.opt.Logf("%v", err)
			s.problem.SetText("The progress notes could not be read. The record is shown without them.")
			s.progress.Checked = false
			s.progress.Refresh()
		} else {
			s.rec = rec
		}
	}
	s.ui.show(s)
}

func (s *clientRecordScreen) focus() fyne.Focusable { return nil }

// clientFacing: shown to the client, the record is on the kiosk's terms.
func (s *clientRecordScreen) clientFacing() bool { return s.kiosk }

// showToClient turns the laptop to the client with their record.
func (s *clientRecordScreen) showToClient() {
	k := *s
	k.kiosk = true
	s.ui.show(&k)
}

// save asks where to write the PDF or JSON, writes it and audits it.
func (s *clientRecordScreen) save(kind string) {
	var data bytes.Buffer
	var err error
	if kind == "pdf" {
		err = writeRecordPDF(&data, s.rec)
	} else {
		var b []byte
		b, err = s.rec.kantaraJSON()
		data.Write(b)
	}
	if err != nil {
		s.ui.opt.Logf("making the %s record: %v", kind, err)
		s.problem.SetText("The record could not be made. Nothing was saved.")
		return
	}
	name := fmt.Sprintf("assent-record-%s.%s", s.rec.generated.In(s.rec.loc()).Format("2006-01-02"), kind)
	audit := func() error { return s.ui.db.AuditAbout(auditRecordSaved, s.client.ID, kind) }
	s.ui.saveFile(data.Bytes(), name, audit, func(err error) {
		if err != nil {
			s.ui.opt.Logf("saving the record: %v", err)
			s.problem.SetText("The record could not be saved there.")
			return
		}
		s.problem.SetText("")
	})
}

// auditRecordSaved is the audit kind for a client's record saved to a file.
const auditRecordSaved = "record.saved"

// settingPracticeName is the practice's name, printed on receipts.
const settingPracticeName = "practice_name"
