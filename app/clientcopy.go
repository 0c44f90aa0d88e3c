package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/removable"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// minCopyPassphrase is the shortest passphrase a client's copy takes.
const minCopyPassphrase = 8

// giveClientCopy writes recording recordingID to w, age-encrypted with
// the client's passphrase (an scrypt recipient: `age -d` asks for it), and
// audits it (storage.AuditClientCopyGiven), so that the client's record
// shows it. It refuses, before reading anything, a recording the client
// may not be given (session.MayCopyForClient: another voice, unconfirmed,
// deleted). workFactor is scrypt's log2 work factor (0: age's default).
func giveClientCopy(db *storage.DB, loc *time.Location, recordingID, passphrase string, workFactor int, w io.WriteCloser) error {
	rec, err := db.Recording(recordingID)
	if err != nil {
		return fmt.Errorf("client copy: %w", err)
	}
	if err := session.MayCopyForClient(db, rec, loc); err != nil {
		return fmt.Errorf("client copy: %w", err)
	}
	recipient, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return fmt.Errorf("client copy: %w", err)
	}
	if workFactor > 0 {
		recipient.SetWorkFactor(workFactor)
	}
	return encryptRecording(db, recordingID, recipient, w, storage.AuditClientCopyGiven, "encrypted with the client's own passphrase")
}

// plainCopyDetail is the audit's detail for a plain MP3 on the client's
// drive.
const plainCopyDetail = "plain MP3 to a removable drive"

// giveClientMP3 writes recording recordingID as a plain MP3 into the
// folder dir, which must be on a removable drive (isRemovable, normally
// removable.Check: the client's own USB stick, never the laptop's disk),
// and audits it (storage.AuditClientCopyGiven), so that the client's
// record shows it. It refuses, before anything is written, a recording
// the client may not be given (session.MayCopyForClient) and a folder
// that is not on a removable drive (the error from isRemovable:
// removable.ErrNotRemovable, removable.ErrCannotTell). The MP3 goes from
// storage's opening reader straight into the new file, created 0600 and
// synced before the audit; on failure the partial file is removed. It
// returns the file's path.
func giveClientMP3(db *storage.DB, loc *time.Location, recordingID, dir string, isRemovable func(string) error) (string, error) {
	rec, err := db.Recording(recordingID)
	if err != nil {
		return "", fmt.Errorf("client copy: %w", err)
	}
	if err := session.MayCopyForClient(db, rec, loc); err != nil {
		return "", fmt.Errorf("client copy: %w", err)
	}
	if err := isRemovable(dir); err != nil {
		return "", fmt.Errorf("client copy: %w", err)
	}
	var path string
	err = sendRecording(db, recordingID, func() (io.WriteCloser, error) {
		f, err := createNumbered(dir, "session-recording-"+rec.StartedAt.In(loc).Format("2006-01-02"), ".mp3")
		if err == nil {
			path = f.Name()
		}
		return syncingFile{f}, err
	}, storage.AuditClientCopyGiven, plainCopyDetail)
	if err != nil && path != "" {
		os.Remove(path)
	}
	return path, err
}

// createNumbered creates a new file base+ext in dir, readable by its owner
// only, or base-2+ext and so on if the name is taken: a copy never
// overwrites what is already on the client's drive.
func createNumbered(dir, base, ext string) (*os.File, error) {
	name := base + ext
	for n := 2; ; n++ {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, os.ErrExist) || n > 99 {
			return f, err
		}
		name = fmt.Sprintf("%s-%d%s", base, n, ext)
	}
}

// syncingFile is a file whose Close first syncs it and its folder to the
// drive, so that the copy is audited only once it is really there (a
// USB stick pulled out at once keeps it).
type syncingFile struct{ *os.File }

func (f syncingFile) Close() error {
	err := f.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(f.Name()))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// clientCopyScreen is on the client screen: the client types a passphrase
// the therapist never sees and chooses where their encrypted copy goes.
// Leaving it for the therapist's screens needs the passphrase.
type clientCopyScreen struct {
	ui     *UI
	client storage.Client
	rec    storage.Recording
	tx     *clientText // in the client's language

	pass      *newPassphrase
	make      *bigButton
	problem   *widget.Label
	done      *widget.Label
	therapist *widget.Button
	// plain saves the copy as a plain MP3 on the client's own drive.
	plain *widget.Button
	// workFactor is scrypt's (0: age's default); tests lower it.
	workFactor int
	// isRemovable says whether a folder is on a removable drive
	// (removable.Check; tests, which cannot plug in a USB stick, change it).
	isRemovable func(dir string) error
}

func newClientCopyScreen(u *UI, c storage.Client, rec storage.Recording) *clientCopyScreen {
	s := &clientCopyScreen{ui: u, client: c, rec: rec, tx: clientTextOf(c.Language), problem: newProblemLabel(), done: wrapped(""),
		isRemovable: removable.Check}
	s.pass = newNewPassphrase(s.tx.CopyPassPlaceholder, s.tx.CopyRepeatPlaceholder, s.chooseWhere)
	s.make = newBigButton(s.tx.CopyMakeText, s.chooseWhere)
	s.plain = widget.NewButton(s.tx.CopyPlainText, s.chooseDrive)
	s.therapist = widget.NewButton(s.tx.ForTherapistText, func() {
		u.askPassphrase(func() {
			if r, err := newClientRecordScreen(u, c, false); err == nil {
				u.show(r)
				return
			}
			u.show(newPracticeScreen(u))
		})
	})
	s.therapist.Importance = widget.LowImportance
	return s
}

// clientFacing: the client types here.
func (s *clientCopyScreen) clientFacing() bool { return true }

func (s *clientCopyScreen) content() fyne.CanvasObject {
	column := clientColumn(container.NewVBox(heading(s.tx.CopyHeading), wrapped(s.tx.CopyIntro),
		s.pass.pass, s.pass.repeat, s.make, widget.NewSeparator(), wrapped(s.tx.CopyPlainIntro), s.plain,
		s.problem, s.done))
	page := container.NewBorder(nil, container.NewHBox(s.therapist), nil, nil, container.NewVScroll(column))
	return inLargeType(s.ui.app, page)
}

func (s *clientCopyScreen) focus() fyne.Focusable { return s.pass.pass }

// checkPassphrase says what is wrong with the passphrase typed, or "".
func (s *clientCopyScreen) checkPassphrase() string {
	switch {
	case len([]rune(s.pass.pass.Text)) < minCopyPassphrase:
		return s.tx.CopyTooShortText
	case s.pass.pass.Text != s.pass.repeat.Text:
		return s.tx.CopyMismatchText
	}
	return ""
}

// chooseWhere asks the client where to save the copy (a USB stick, say).
func (s *clientCopyScreen) chooseWhere() {
	if msg := s.checkPassphrase(); msg != "" {
		s.problem.SetText(msg)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.finished(fmt.Errorf("client copy: save dialog: %w", err), "")
			return
		}
		if w == nil {
			return // the client chose not to save
		}
		s.saveCopyTo(w)
	}, s.ui.win)
	d.SetFileName("session-recording.mp3.age")
	d.Show()
}

// saveCopyTo writes the encrypted copy into w, the file the client chose,
// and says how it went: a failed copy leaves no file and no "copy given".
func (s *clientCopyScreen) saveCopyTo(w fyne.URIWriteCloser) {
	s.finished(writeOrRemove(w, s.writeCopy), s.tx.CopyDoneText)
}

// writeCopy writes the encrypted copy to w with the passphrase typed, and
// closes w before the copy is audited.
func (s *clientCopyScreen) writeCopy(w io.WriteCloser) error {
	if msg := s.checkPassphrase(); msg != "" {
		return errors.New(msg)
	}
	return giveClientCopy(s.ui.db, s.ui.opt.Location, s.rec.ID, s.pass.pass.Text, s.workFactor, w)
}

// chooseDrive asks the client for a folder on their own drive, for a
// plain MP3.
func (s *clientCopyScreen) chooseDrive() {
	dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		if dir.Scheme() != "file" {
			s.finished(fmt.Errorf("client copy: %s: %w", dir, removable.ErrNotRemovable), "")
			return
		}
		s.savePlain(dir.Path())
	}, s.ui.win).Show()
}

// savePlain writes the plain MP3 into the folder dir, if it is on a
// removable drive.
func (s *clientCopyScreen) savePlain(dir string) {
	_, err := giveClientMP3(s.ui.db, s.ui.opt.Location, s.rec.ID, dir, s.isRemovable)
	s.finished(err, s.tx.CopyPlainDoneText)
}

// finished says whether the copy was made (done: the sentence if it was);
// the passphrase is cleared either way.
func (s *clientCopyScreen) finished(err error, done string) {
	s.pass.pass.SetText("")
	s.pass.repeat.SetText("")
	if err != nil {
		s.ui.opt.Logf("client copy: %v", err)
		s.done.SetText("")
		switch {
		case errors.Is(err, session.ErrCopyNotAgreed):
			s.problem.SetText(s.tx.CopyRefusedText)
		case errors.Is(err, removable.ErrNotRemovable):
			s.problem.SetText(s.tx.CopyNotRemovableText)
		case errors.Is(err, removable.ErrCannotTell):
			s.problem.SetText(s.tx.CopyCannotTellText)
		default:
			s.problem.SetText(s.tx.CopyFailedText)
		}
		return
	}
	s.problem.SetText("")
	s.done.SetText(done)
}

// copyable are the recordings of the record that may be given to the
// client, with a label for each, newest first.
func (r clientRecord) copyable(u *UI) (recs []storage.Recording, labels []string) {
	for i := len(r.sessions) - 1; i >= 0; i-- {
		sess := r.sessions[i]
		for j, rec := range sess.recordings {
			if session.MayCopyForClient(u.db, rec.Recording, u.opt.Location) != nil {
				continue
			}
			recs = append(recs, rec.Recording)
			labels = append(labels, fmt.Sprintf("%s, part %d (%s)", consent.LongDate(sess.started, r.loc()), j+1,
				appText.duration(rec.Duration.Round(time.Second))))
		}
	}
	return recs, labels
}
