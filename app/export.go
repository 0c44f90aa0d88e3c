package app

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// exportRecording writes recording recordingID to w as an age-encrypted
// file for recipient (a supervisor's public key, or an age.ScryptRecipient
// for a passphrase), so that the supervisor opens it with the standard
// `age` tool. The MP3 goes straight from storage's opening reader into the
// encryption: no plaintext byte is written anywhere.
//
// It refuses (session.ErrExportNotAgreed, before reading anything) unless
// the recording's session offered a copy for supervision and supervision
// was agreed (session.MayExport), and returns an error matching
// storage.ErrDeleted for a deleted recording. On success an audit row of
// kind storage.AuditRecordingExported names the recipient in short. Opening
// the recording for the export also counts as a play in storage (and its
// own audit row): a copy given away is at least one listening.
//
// On any error the caller must discard what was written to w: it may hold a
// partial file, and no export was audited.
func exportRecording(db *storage.DB, recordingID string, recipient age.Recipient, w io.WriteCloser) error {
	rec, err := db.Recording(recordingID)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if rec.State == storage.StateDeleted {
		return fmt.Errorf("export %s: %w", recordingID, storage.ErrDeleted)
	}
	if err := session.MayExport(db, rec); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return encryptRecording(db, recordingID, recipient, w, storage.AuditRecordingExported, describeRecipient(recipient))
}

// encryptRecording streams recording recordingID from storage's opening
// reader into an age encryption for recipient, written to w (no
// plaintext byte touches the disk), and audits it as auditKind with
// detail once the last chunk is written and w closed. On an error the
// caller closes w if it is not closed yet (writeOrRemove does) and
// discards what it holds; nothing was audited.
func encryptRecording(db *storage.DB, recordingID string, recipient age.Recipient, w io.WriteCloser, auditKind, detail string) error {
	return sendRecording(db, recordingID, func() (io.WriteCloser, error) {
		a, err := age.Encrypt(w, recipient)
		return sealedThenClosed{a, w}, err
	}, auditKind, detail)
}

// sealedThenClosed closes age's writer (its last chunk and tag) and then
// the file it writes to, so that a copy is audited only once its file is
// closed.
type sealedThenClosed struct {
	age  io.WriteCloser
	file io.Closer
}

func (s sealedThenClosed) Write(p []byte) (int, error) { return s.age.Write(p) }

func (s sealedThenClosed) Close() error {
	return errors.Join(s.age.Close(), s.file.Close())
}

// writeOrRemove runs write into w, a file the therapist or the client
// chose in a save dialog, closes it, and removes it again if anything
// failed: a failed export or copy leaves no file behind.
func writeOrRemove(w fyne.URIWriteCloser, write func(io.WriteCloser) error) error {
	once := &closeOnce{WriteCloser: w}
	err := write(once)
	if cerr := once.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if derr := fynestorage.Delete(w.URI()); derr != nil {
			err = errors.Join(err, fmt.Errorf("removing the partial file: %w", derr))
		}
	}
	return err
}

// closeOnce closes its writer at the first Close only: the writer of an
// export or copy closes its file before the audit, and writeOrRemove
// closes it in any case.
type closeOnce struct {
	io.WriteCloser
	closed bool
}

func (c *closeOnce) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	return c.WriteCloser.Close()
}

// sendRecording streams recording recordingID's MP3 from storage's
// opening reader into the writer open returns, closes that writer, and
// audits it as auditKind with detail only once Close has succeeded: Close
// must finish what was written (age writes its last chunk and tag; a file
// on a drive is synced). open is called before the recording is opened,
// so that a file that cannot be made costs nothing (opening counts a
// play). On an error after open, the writer is closed and the caller must
// discard what it holds: nothing was audited.
func sendRecording(db *storage.DB, recordingID string, open func() (io.WriteCloser, error), auditKind, detail string) error {
	dst, err := open()
	if err != nil {
		return fmt.Errorf("export %s: %w", recordingID, err)
	}
	r, err := db.OpenRecording(recordingID)
	if err != nil {
		dst.Close()
		return fmt.Errorf("export: %w", err)
	}
	defer r.Close()
	if _, err := io.Copy(dst, r); err != nil {
		dst.Close()
		return fmt.Errorf("export %s: %w", recordingID, err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("export %s: %w", recordingID, err)
	}
	if err := db.AuditAbout(auditKind, recordingID, detail); err != nil {
		return fmt.Errorf("export %s: %w", recordingID, err)
	}
	return nil
}

// exportRefusal is the sentence saying why rec cannot be exported, or ""
// if it can (session.UsesOf).
func exportRefusal(db *storage.DB, rec storage.Recording) string {
	if recordingOwed(db, rec.ID) {
		return owedRecordingText
	}
	u, err := session.UsesOf(db, rec)
	switch {
	case errors.Is(err, storage.ErrTampered):
		return agreedAlteredText
	case err != nil:
		return "This recording can't be exported: what was agreed for it could not be read."
	case u.Export:
		return ""
	case len(u.Purposes) == 0:
		return "This recording can't be exported: no purpose was agreed for it."
	case slices.ContainsFunc(u.Purposes, func(p consent.Purpose) bool { return p.ID == consent.PurposeSupervision }):
		return "This recording can't be exported: the client agreed to supervision here, but no copy to take away was offered."
	}
	var ids []string
	for _, p := range u.Purposes {
		ids = append(ids, p.ID)
	}
	return "This recording can't be exported: the client agreed to " + agreedPurposes(ids) + " only."
}

// agreedPurposes writes purpose IDs as words: "reflection and training".
func agreedPurposes(purposes []string) string {
	words := make([]string, len(purposes))
	for i, p := range purposes {
		if p == consent.PurposeCustom {
			p = "a purpose of your own"
		}
		words[i] = p
	}
	switch len(words) {
	case 0:
		return "no purpose"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// parseSupervisorKey reads a supervisor's age public key ("age1…"), as
// they give it from `age-keygen`.
func parseSupervisorKey(text string) (age.Recipient, error) {
	text = strings.TrimSpace(text)
	if text == "" || strings.ContainsAny(text, "\n#") {
		return nil, errors.New("not one age public key")
	}
	rs, err := age.ParseRecipients(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		return nil, errors.New("not one age public key")
	}
	return rs[0], nil
}

// describeRecipient names a recipient for the audit log: a public key in
// short, which is enough to tell supervisors apart and says nothing about
// the client.
func describeRecipient(r age.Recipient) string {
	if s, ok := r.(fmt.Stringer); ok {
		return "to supervisor key " + shortKey(s.String())
	}
	if _, ok := r.(*age.ScryptRecipient); ok {
		return "protected by a passphrase"
	}
	return fmt.Sprintf("to a recipient of type %T", r)
}

// shortKey keeps the start and end of a long key: "age1qyqszqgp…x5ss3a".
func shortKey(k string) string {
	if utf8.RuneCountInString(k) <= 24 {
		return k
	}
	return k[:12] + "…" + k[len(k)-6:]
}

// Ways of protecting an export, as the export dialog offers them.
const (
	exportByKey        = "My supervisor's age public key"
	exportByPassphrase = "A passphrase I give my supervisor"
)

// exportForm is the export dialog's fields.
type exportForm struct {
	how     *widget.RadioGroup
	key     *widget.Entry
	pass    *newPassphrase
	problem *widget.Label
	dialog  dialog.Dialog
}

// askExport asks how to protect the export, then where to save it. It is
// refused with a sentence unless the client agreed to supervision.
func (s *libraryScreen) askExport() {
	e, ok := s.selectedEntry()
	if !ok || e.rec.State == storage.StateDeleted {
		return
	}
	s.ui.touch()
	if msg := exportRefusal(s.ui.db, e.rec); msg != "" {
		s.problem.SetText(msg)
		return
	}
	f := &exportForm{problem: newProblemLabel()}
	f.key = widget.NewEntry()
	f.key.SetPlaceHolder("age1…")
	f.pass = newNewPassphrase("Passphrase", "The passphrase again", nil)
	f.how = widget.NewRadioGroup([]string{exportByKey, exportByPassphrase}, func(v string) {
		if v == exportByPassphrase {
			f.key.Disable()
			f.pass.pass.Enable()
			f.pass.repeat.Enable()
		} else {
			f.key.Enable()
			f.pass.pass.Disable()
			f.pass.repeat.Disable()
		}
	})
	f.how.SetSelected(exportByKey)
	s.exportForm = f
	explain := wrapped("The copy is encrypted with age: your supervisor opens it with the age tool " +
		"(`age -d -i key.txt file.mp3.age > file.mp3`, or `age -d` with the passphrase). " +
		"Nothing unencrypted is written to this computer. The export is noted in the audit log.")
	body := container.NewVBox(explain, f.how, f.key, f.pass.pass, f.pass.repeat, f.problem)
	f.dialog = dialog.NewCustomConfirm("Export for supervision", "Choose where to save…", "Cancel", body,
		func(ok bool) {
			if ok {
				s.chooseExportFile(e)
			}
		}, s.ui.win)
	f.dialog.Resize(fyne.NewSize(560, 380))
	f.dialog.Show()
}

// exportRecipient reads the export dialog: the supervisor's key, or a
// passphrase typed twice. It returns a sentence saying what is wrong, or "".
func (f *exportForm) exportRecipient() (age.Recipient, string) {
	if f.how.Selected == exportByPassphrase {
		if msg := f.pass.check(); msg != "" {
			return nil, msg
		}
		r, err := age.NewScryptRecipient(f.pass.pass.Text)
		if err != nil {
			return nil, "That passphrase cannot be used."
		}
		return r, ""
	}
	r, err := parseSupervisorKey(f.key.Text)
	if err != nil {
		return nil, "That is not an age public key. Ask your supervisor for the line starting with age1 that `age-keygen` printed."
	}
	return r, ""
}

// chooseExportFile asks where to save the export, then writes it.
func (s *libraryScreen) chooseExportFile(e libraryEntry) {
	f := s.exportForm
	recipient, msg := f.exportRecipient()
	if msg != "" {
		s.problem.SetText("Nothing was exported: " + msg)
		return
	}
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.ui.opt.Logf("choosing the export file: %v", err)
			s.problem.SetText("Nothing was exported: the file could not be created there.")
			return
		}
		if w == nil { // cancelled
			return
		}
		s.exportTo(e.rec.ID, recipient, w)
	}, s.ui.win)
	save.SetFileName(exportFileName(e, s.ui.opt.Location))
	save.Show()
}

// exportFileName names the file after the session's date and the
// recording, never after the client.
func exportFileName(e libraryEntry, loc *time.Location) string {
	name := "assent-" + e.sessionStarted.In(loc).Format("2006-01-02-1504")
	if e.rec.Segment > 1 {
		name += fmt.Sprintf("-part%d", e.rec.Segment)
	}
	return name + ".mp3.age"
}

// exportTo writes the export into w in the background and says how it
// went. A failed export leaves no file behind.
func (s *libraryScreen) exportTo(recordingID string, recipient age.Recipient, w fyne.URIWriteCloser) {
	s.problem.SetText("")
	s.export.Disable()
	s.ui.background(func() error {
		return writeOrRemove(w, func(w io.WriteCloser) error { return exportRecording(s.ui.db, recordingID, recipient, w) })
	}, func(err error) {
		s.export.Enable()
		if err != nil {
			s.ui.opt.Logf("exporting %s: %v", recordingID, err)
			switch {
			case errors.Is(err, session.ErrExportNotAgreed):
				s.problem.SetText("Nothing was exported: a copy for supervision was not offered to the client, or not agreed.")
			default:
				s.problem.SetText("Nothing was exported. " + playbackProblem(err))
			}
			return
		}
		s.problem.SetText("")
		s.refreshPlays(recordingID)
		s.info.SetText("Exported, encrypted, to " + w.URI().Path() + ". " + s.describeSelected())
	})
}

// describeSelected is describe for the chosen recording, or "".
func (s *libraryScreen) describeSelected() string {
	if e, ok := s.selectedEntry(); ok {
		return s.describe(e.rec)
	}
	return ""
}
