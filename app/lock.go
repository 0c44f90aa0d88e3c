package app

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/storage"
)

// setupScreen sets the practice passphrase on first run.
type setupScreen struct {
	ui      *UI
	newPass *newPassphrase
	problem *widget.Label
	create  *actionButton
}

func newSetupScreen(u *UI) *setupScreen {
	s := &setupScreen{ui: u}
	s.newPass = newNewPassphrase("Passphrase", "The same passphrase again", s.submit)
	s.newPass.pass.OnSubmitted = func(string) { s.ui.win.Canvas().Focus(s.newPass.repeat) }
	s.problem = newProblemLabel()
	s.create = newActionButton("Create the practice", s.submit)
	return s
}

func (s *setupScreen) content() fyne.CanvasObject {
	intro := wrapped("Choose the passphrase that protects every recording and note in this practice. " +
		"Everything is encrypted with it on this computer. Assent cannot tell you the passphrase later; " +
		"instead you will be shown a recovery key to write down.")
	return pageLayout("Set up Assent",
		intro,
		widget.NewForm(
			widget.NewFormItem("Passphrase", s.newPass.pass),
			widget.NewFormItem("Repeat it", s.newPass.repeat),
		),
		s.newPass.strength,
		s.problem,
		s.create.progress,
		s.create.button,
		dataFolderLabel(s.ui.opt.DataDir),
	)
}

func (s *setupScreen) focus() fyne.Focusable { return s.newPass.pass }

// submit checks the two fields and creates the vault in the background.
func (s *setupScreen) submit() {
	p := s.newPass.pass.Text
	if problem := s.newPass.check(); problem != "" {
		s.problem.SetText(problem)
		s.newPass.repeat.SetText("")
		s.ui.win.Canvas().Focus(s.newPass.repeat)
		return
	}
	s.problem.SetText("")
	s.create.busy(true)
	var recoveryKey string
	s.ui.background(func() (err error) {
		recoveryKey, err = s.ui.db.CreateVault(p)
		return err
	}, func(err error) {
		s.create.busy(false)
		if err != nil {
			s.ui.opt.Logf("creating the vault: %v", err)
			s.problem.SetText("The practice could not be created. Nothing was saved. Please try again.")
			return
		}
		s.ui.show(newRecoveryKeyScreen(s.ui, recoveryKey))
	})
}

// recoveryKeyScreen shows the recovery key once, right after set-up.
type recoveryKeyScreen struct {
	ui      *UI
	key     string
	written *widget.Check
	next    *widget.Button
	problem *widget.Label
}

func newRecoveryKeyScreen(u *UI, key string) *recoveryKeyScreen {
	s := &recoveryKeyScreen{ui: u, key: key, problem: newProblemLabel()}
	s.next = widget.NewButton("Continue", s.done)
	s.next.Importance = widget.HighImportance
	s.next.Disable()
	s.written = widget.NewCheck("I have written it down, or printed it", func(on bool) {
		if on {
			s.next.Enable()
		} else {
			s.next.Disable()
		}
	})
	return s
}

func (s *recoveryKeyScreen) content() fyne.CanvasObject {
	intro := wrapped("This is the practice's recovery key. If the passphrase is ever forgotten, " +
		"it is the only way back in. Write it on paper now and keep it somewhere safe and private, " +
		"away from this laptop. It will not be shown again.")
	key := widget.NewLabelWithStyle(s.key, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	key.SizeName = theme.SizeNameSubHeadingText
	key.Wrapping = fyne.TextWrapWord
	save := widget.NewButton("Save as PDF to print…", s.savePDF)
	return pageLayout("Your recovery key", intro, widget.NewCard("", "", key), save, s.problem, s.written, s.next)
}

// savePDF writes the key as one page to print (writeRecoveryKeyPDF) where
// the therapist chooses.
func (s *recoveryKeyScreen) savePDF() {
	var page bytes.Buffer
	if err := writeRecoveryKeyPDF(&page, s.key, s.ui.opt.Now(), s.ui.opt.Location, s.ui.opt.DataDir); err != nil {
		s.ui.opt.Logf("recovery key PDF: %v", err)
		s.problem.SetText("The page could not be made. Please write the key down instead.")
		return
	}
	s.ui.saveFile(page.Bytes(), "assent-recovery-key.pdf", nil, func(err error) {
		if err != nil {
			s.ui.opt.Logf("saving the recovery key: %v", err)
			s.problem.SetText("The page could not be saved there. Please write the key down instead.")
			return
		}
		s.problem.SetText("Saved. Print it, keep the paper somewhere safe, and delete the file.")
	})
}

func (s *recoveryKeyScreen) focus() fyne.Focusable { return s.written }

// done forgets the key and goes on to the offer of the hourly deletion
// check, or to the practice when there is none to offer.
func (s *recoveryKeyScreen) done() {
	s.key = ""
	if s.ui.opt.Schedule != nil {
		s.ui.show(newScheduleOfferScreen(s.ui))
		return
	}
	s.ui.show(newPracticeScreen(s.ui))
}

// scheduleOfferScreen offers, right after set-up, to have the computer
// delete recordings on their date while Assent is closed.
type scheduleOfferScreen struct {
	ui       *UI
	schedule *scheduleSection
	next     *widget.Button
}

func newScheduleOfferScreen(u *UI) *scheduleOfferScreen {
	s := &scheduleOfferScreen{ui: u, schedule: newScheduleSection(u)}
	s.next = widget.NewButton("Continue", s.done)
	s.next.Importance = widget.HighImportance
	return s
}

func (s *scheduleOfferScreen) content() fyne.CanvasObject {
	intro := wrapped("Every recording is deleted on the date the client was shown. Assent does this whenever it is open. " +
		"So that it happens on time on a day Assent is not opened too, this computer can run Assent's deletion check every hour. " +
		"The check needs no passphrase and opens no recording or note. You can change this later in the settings.")
	parts := append([]fyne.CanvasObject{intro}, s.schedule.content()...)
	return pageLayout("Deleting on time", append(parts, s.next)...)
}

func (s *scheduleOfferScreen) focus() fyne.Focusable { return s.schedule.on }

// done goes on to the practice, whatever was chosen.
func (s *scheduleOfferScreen) done() { s.ui.show(newPracticeScreen(s.ui)) }

// unlockScreen asks for the practice passphrase.
type unlockScreen struct {
	ui      *UI
	pass    *widget.Entry
	problem *widget.Label
	unlock  *actionButton
}

func newUnlockScreen(u *UI) *unlockScreen {
	s := &unlockScreen{ui: u}
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder("Passphrase")
	s.pass.OnSubmitted = func(string) { s.submit() }
	s.problem = newProblemLabel()
	s.unlock = newActionButton("Unlock", s.submit)
	return s
}

func (s *unlockScreen) content() fyne.CanvasObject {
	forgot := widget.NewButton("Forgot the passphrase? Use the recovery key", func() {
		s.ui.show(newRecoverScreen(s.ui))
	})
	forgot.Importance = widget.LowImportance
	return pageLayout("Assent is locked",
		widget.NewLabel("Enter the practice passphrase to open your clients, sessions and notes."),
		s.pass, s.problem, s.unlock.progress, s.unlock.button, forgot, dataFolderLabel(s.ui.opt.DataDir))
}

func (s *unlockScreen) focus() fyne.Focusable { return s.pass }

// submit tries the passphrase in the background: the key derivation is slow
// on purpose.
func (s *unlockScreen) submit() {
	p := s.pass.Text
	if p == "" {
		s.problem.SetText("Please enter the passphrase.")
		return
	}
	s.unlock.busy(true)
	s.ui.background(func() error { return s.ui.db.Unlock(p) }, func(err error) {
		s.unlock.busy(false)
		if err == nil {
			s.ui.showAfterUnlock()
			return
		}
		s.pass.SetText("")
		s.ui.win.Canvas().Focus(s.pass)
		s.problem.SetText(unlockProblem(err))
		if !errors.Is(err, storage.ErrWrongPassphrase) && !errors.Is(err, storage.ErrTooManyAttempts) {
			s.ui.opt.Logf("unlocking: %v", err)
		}
	})
}

// unlockProblem is the sentence shown for a failed unlock.
func unlockProblem(err error) string {
	var retry *storage.RetryError
	switch {
	case errors.As(err, &retry):
		secs := int(math.Ceil(retry.Wait.Seconds()))
		return fmt.Sprintf("Too many wrong passphrases. Please wait %d seconds before trying again. Nothing was opened.", secs)
	case errors.Is(err, storage.ErrWrongPassphrase):
		return "That passphrase is not right. Nothing was opened."
	default:
		return "Assent could not unlock the practice. Nothing was opened or changed."
	}
}

// recoverScreen lets the therapist in with the recovery key and set a new
// passphrase.
type recoverScreen struct {
	ui      *UI
	key     *widget.Entry
	newPass *newPassphrase
	problem *widget.Label
	confirm *actionButton
}

func newRecoverScreen(u *UI) *recoverScreen {
	s := &recoverScreen{ui: u}
	s.key = widget.NewEntry()
	s.key.SetPlaceHolder("Recovery key")
	s.newPass = newNewPassphrase("New passphrase", "The same passphrase again", s.submit)
	s.problem = newProblemLabel()
	s.confirm = newActionButton("Set the new passphrase and unlock", s.submit)
	return s
}

func (s *recoverScreen) content() fyne.CanvasObject {
	back := widget.NewButton("Back", func() { s.ui.show(newUnlockScreen(s.ui)) })
	back.Importance = widget.LowImportance
	return pageLayout("Use the recovery key",
		widget.NewForm(
			widget.NewFormItem("Recovery key", s.key),
			widget.NewFormItem("New passphrase", s.newPass.pass),
			widget.NewFormItem("Repeat it", s.newPass.repeat),
		),
		s.problem, s.confirm.progress, s.confirm.button, back)
}

func (s *recoverScreen) focus() fyne.Focusable { return s.key }

func (s *recoverScreen) submit() {
	key, p := s.key.Text, s.newPass.pass.Text
	if problem := s.newPass.check(); problem != "" {
		s.problem.SetText(problem)
		return
	}
	s.confirm.busy(true)
	s.ui.background(func() error { return s.ui.db.UnlockWithRecoveryKey(key, p) }, func(err error) {
		s.confirm.busy(false)
		if err != nil {
			s.ui.opt.Logf("unlocking with the recovery key: %v", err)
			s.problem.SetText(recoverProblem(err))
			return
		}
		s.ui.showAfterUnlock()
	})
}

// recoverProblem is the sentence shown for a failed recovery.
func recoverProblem(err error) string {
	if errors.Is(err, storage.ErrWrongRecoveryKey) {
		return "That recovery key is not right. Nothing was opened or changed."
	}
	return unlockProblem(err)
}

// problemScreen shows one sentence when the app cannot go on.
type problemScreen struct{ message string }

func newProblemScreen(message string) *problemScreen { return &problemScreen{message: message} }

func (s *problemScreen) content() fyne.CanvasObject {
	return pageLayout("Assent cannot open", wrapped(s.message))
}

func (s *problemScreen) focus() fyne.Focusable { return nil }
