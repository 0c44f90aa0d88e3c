package app

import (
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
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
func giveClientCopy(db *storage.DB, loc *time.Location, recordingID, passphrase string, workFactor int, w io.Writer) error {
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
	// workFactor is scrypt's (0: age's default); tests lower it.
	workFactor int
}

func newClientCopyScreen(u *UI, c storage.Client, rec storage.Recording) *clientCopyScreen {
	s := &clientCopyScreen{ui: u, client: c, rec: rec, tx: clientTextOf(c.Language), problem: newProblemLabel(), done: wrapped("")}
	s.pass = newNewPassphrase(s.tx.CopyPassPlaceholder, s.tx.CopyRepeatPlaceholder, s.chooseWhere)
	s.make = newBigButton(s.tx.CopyMakeText, s.chooseWhere)
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
		s.pass.pass, s.pass.repeat, s.make, s.problem, s.done))
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
		if err != nil || w == nil {
			return
		}
		err = s.writeCopy(w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		s.finished(err)
	}, s.ui.win)
	d.SetFileName("session-recording.mp3.age")
	d.Show()
}

// writeCopy writes the encrypted copy to w with the passphrase typed.
func (s *clientCopyScreen) writeCopy(w io.Writer) error {
	if msg := s.checkPassphrase(); msg != "" {
		return errors.New(msg)
	}
	return giveClientCopy(s.ui.db, s.ui.opt.Location, s.rec.ID, s.pass.pass.Text, s.workFactor, w)
}

// finished says whether the copy was made; the passphrase is cleared
// either way.
func (s *clientCopyScreen) finished(err error) {
	s.pass.pass.SetText("")
	s.pass.repeat.SetText("")
	if err != nil {
		s.ui.opt.Logf("client copy: %v", err)
		if errors.Is(err, session.ErrCopyNotAgreed) {
			s.problem.SetText(s.tx.CopyRefusedText)
		} else {
			s.problem.SetText(s.tx.CopyFailedText)
		}
		return
	}
	s.problem.SetText("")
	s.done.SetText(s.tx.CopyDoneText)
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
