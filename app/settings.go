package app

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// Settings keys written by the settings screen, read by package session
// (settingAutoLockMinutes is in housekeeping.go). Settings are not encrypted;
// none of these is clinical.
const (
	settingKeepDays          = session.SettingKeepDays
	settingBitrate           = session.SettingBitrate
	settingSupervisionExport = session.SettingSupervisionExport
	settingPurpose           = session.SettingPurpose
)

// Limits of the settings the therapist types.
const (
	minAutoLockMinutes = 1
	maxAutoLockMinutes = 120
)

// bitrates are the recording qualities offered (session.Bitrates), with
// what each means for the therapist.
var bitrates = []struct {
	kbps  int
	label string
}{
	{32, "32 kbit/s: clear speech, about 14 MB an hour (recommended)"},
	{48, "48 kbit/s: about 22 MB an hour"},
	{64, "64 kbit/s: about 29 MB an hour"},
}

// unansweredChoices are what happens to a recording whose question at the
// end goes unanswered (session.SettingUnanswered), the default first.
var unansweredChoices = []struct{ value, label string }{
	{session.UnansweredDelete, "Delete unconfirmed recordings (recommended)"},
	{session.UnansweredKeep, "Keep them until their deletion date"},
}

// policyFromSettings is the consent policy new sessions are asked under
// (session.PracticePolicy); when the saved settings cannot be used it logs
// why and returns consent.DefaultPolicy, which always asks less of the
// client.
func (u *UI) policyFromSettings() consent.Policy {
	p, err := session.PracticePolicy(u.db)
	if err != nil {
		u.opt.Logf("the saved consent settings cannot be used, so the default policy is: %v", err)
	}
	return p
}

// purposeFields are the settings screen's fields for one standard purpose.
type purposeFields struct {
	id        string
	offered   *widget.Check
	text      *widget.Entry
	listeners *widget.Entry
}

// settingsScreen is where the therapist sets what is offered to clients,
// the recording quality, the auto-lock and the passphrase, and sees where
// the data is and whether deletion is scheduled.
type settingsScreen struct {
	ui *UI

	keepDays *widget.Entry
	purposes []*purposeFields
	export   *widget.Check // supervision export offered
	// The client's last word: the question at the end (on or off), what
	// happens when it goes unanswered, and never recording with a minor.
	endQuestion *widget.Check
	unanswered  *widget.RadioGroup
	noMinors    *widget.Check
	quality     *widget.RadioGroup
	autoLock    *widget.Entry
	template    *widget.Entry // the practice's own notes template
	save        *widget.Button
	problem     *widget.Label // why the settings were not saved
	saved       *widget.Label // that they were

	mic      *micSection
	schedule *scheduleSection
	folder   fyne.CanvasObject

	oldPass    *widget.Entry
	newPass    *newPassphrase
	change     *actionButton
	passResult *widget.Label

	back *widget.Button
}

// newSettingsScreen returns the settings screen filled from what is saved.
func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{ui: u}
	p, err := session.PracticePolicy(u.db)
	if err != nil {
		u.opt.Logf("reading the consent settings: %v", err)
		p = consent.DefaultPolicy()
	}
	s.keepDays = widget.NewEntry()
	s.keepDays.SetText(strconv.Itoa(p.DefaultKeepDays))
	for _, sp := range consent.StandardPurposes() {
		f := &purposeFields{id: sp.ID}
		for _, o := range p.Purposes {
			if o.ID == sp.ID {
				sp = o
				f.offered = widget.NewCheck("Offer "+sp.ID, nil)
				f.offered.SetChecked(true)
			}
		}
		if f.offered == nil {
			f.offered = widget.NewCheck("Offer "+sp.ID, nil)
			// Keep wording typed earlier for a purpose not offered now.
			if v, ok, _ := u.db.Setting(settingPurpose + sp.ID + "_text"); ok {
				sp.Text = v
			}
			if v, ok, _ := u.db.Setting(settingPurpose + sp.ID + "_listeners"); ok {
				sp.Listeners = v
			}
		}
		f.text = widget.NewMultiLineEntry()
		f.text.Wrapping = fyne.TextWrapWord
		f.text.SetMinRowsVisible(2)
		f.text.SetText(sp.Text)
		f.listeners = widget.NewEntry()
		f.listeners.SetText(sp.Listeners)
		s.purposes = append(s.purposes, f)
	}
	s.export = widget.NewCheck("My supervisor may be given an encrypted copy (only when supervision is offered and agreed)", nil)
	s.export.SetChecked(p.SupervisionExport)
	s.endQuestion = widget.NewCheck("At the end, ask each person recorded whether to keep it (until everyone says keep, nobody can listen)", func(on bool) {
		if on {
			s.unanswered.Enable()
		} else {
			s.unanswered.Disable()
		}
	})
	s.unanswered = widget.NewRadioGroup([]string{unansweredChoices[0].label, unansweredChoices[1].label}, nil)
	s.unanswered.Required = true
	s.unanswered.SetSelected(unansweredChoices[0].label)
	if p.KeepUnconfirmed {
		s.unanswered.SetSelected(unansweredChoices[1].label)
	}
	s.endQuestion.SetChecked(p.EndQuestion)
	if !p.EndQuestion {
		s.unanswered.Disable()
	}
	s.noMinors = widget.NewCheck("Never record a session with a minor present (the question is not shown)", nil)
	s.noMinors.SetChecked(p.NeverRecordMinors)

	var labels []string
	for _, b := range bitrates {
		labels = append(labels, b.label)
	}
	s.quality = widget.NewRadioGroup(labels, nil)
	s.quality.Required = true
	current := session.Bitrate(u.db)
	for _, b := range bitrates {
		if b.kbps == current {
			s.quality.SetSelected(b.label)
		}
	}
	s.autoLock = widget.NewEntry()
	s.autoLock.SetText(strconv.Itoa(int(u.autoLockAfter().Minutes())))
	s.template = widget.NewMultiLineEntry()
	s.template.SetMinRowsVisible(3)
	s.template.SetPlaceHolder("One heading a line, e.g.\nPresenting concern\nRisk\nPlan")
	if v, _, err := u.db.Setting(settingNotesTemplate); err == nil {
		s.template.SetText(v)
	}
	s.save = widget.NewButton("Save settings", s.saveSettings)
	s.save.Importance = widget.HighImportance
	s.problem = newProblemLabel()
	s.saved = wrapped("")
	s.saved.Importance = widget.SuccessImportance

	u.lookForMicrophones()
	s.mic = newMicSection(u)
	s.schedule = newScheduleSection(u)
	s.folder = dataFolderLabel(u.opt.DataDir)

	s.oldPass = widget.NewPasswordEntry()
	s.oldPass.SetPlaceHolder("Current passphrase")
	s.newPass = newNewPassphrase("New passphrase", "New passphrase again", s.changePassphrase)
	s.change = newActionButton("Change passphrase", s.changePassphrase)
	s.passResult = wrapped("")
	s.back = widget.NewButton("Back", s.leave)
	return s
}

func (s *settingsScreen) content() fyne.CanvasObject {
	form := []fyne.CanvasObject{
		headingLine("Recordings"),
		widget.NewForm(widget.NewFormItem("Keep for (days)", s.keepDays)),
		settingsHint(fmt.Sprintf("%d to %d days. The client sees the date and may choose fewer days, never more.", consent.MinKeepDays, consent.MaxKeepDays)),
		widget.NewLabel("Quality"),
		s.quality,
		headingLine("Purposes offered to clients"),
		settingsHint("A client agrees to all the purposes offered, or to none. Say why, and who may listen, in your own words."),
	}
	for _, f := range s.purposes {
		form = append(form, f.offered,
			widget.NewForm(widget.NewFormItem("Why:", f.text), widget.NewFormItem("Who may listen:", f.listeners)))
	}
	form = append(form, s.export,
		headingLine("The client's last word"),
		s.endQuestion,
		settingsHint("If the session ends before everyone has answered (they left):"),
		s.unanswered,
		settingsHint("Clients read this rule in the consent statement before they answer. Turned off, the statement does not promise the question."),
		s.noMinors,
		headingLine("Client languages"),
		settingsHint("Each client reads the consent statement, the client screen and their record in the language chosen for them when a session starts. Who checked each language's wording:"),
	)
	form = append(form, labels(languageStatuses())...)
	form = append(form,
		headingLine("Auto-lock"),
		widget.NewForm(widget.NewFormItem("Lock after (minutes)", s.autoLock)),
		settingsHint(fmt.Sprintf("%d to %d minutes without any action. The client screen is never locked away.", minAutoLockMinutes, maxAutoLockMinutes)),
		headingLine("Progress notes template"),
		settingsHint(fmt.Sprintf("Offered beside SOAP, DAP and BIRP when writing progress notes: its headings are inserted, nothing else. At most %d headings.", maxTemplateHeadings)),
		s.template,
		container.NewHBox(s.save), s.problem, s.saved,
	)
	form = append(form, s.mic.content()...)
	form = append(form,

		headingLine("Passphrase"),
		s.oldPass, s.newPass.pass, s.newPass.repeat,
		container.NewHBox(s.change.button), s.change.progress, s.passResult,

		headingLine("Data and deletion"),
		s.folder,
	)
	form = append(form, s.schedule.content()...)
	return container.NewBorder(nil, container.NewHBox(s.back), nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(form...))))
}

func (s *settingsScreen) focus() fyne.Focusable { return s.keepDays }

// settingsHint is a small explanatory line.
func settingsHint(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.LowImportance
	return l
}

// leave goes back to the practice; unsaved changes are dropped.
func (s *settingsScreen) leave() { s.ui.show(newPracticeScreen(s.ui)) }

// saveSettings checks every field and saves them all, or nothing with a
// sentence saying what to correct.
func (s *settingsScreen) saveSettings() {
	s.ui.touch()
	s.saved.SetText("")
	values, msg := s.checked()
	if msg != "" {
		s.problem.SetText(msg + " Nothing was saved.")
		return
	}
	for _, kv := range values {
		if err := s.ui.db.SetSetting(kv[0], kv[1]); err != nil {
			s.ui.opt.Logf("saving setting %s: %v", kv[0], err)
			s.problem.SetText("The settings could not be saved. Please try again; see the log if it happens again.")
			return
		}
	}
	s.problem.SetText("")
	s.saved.SetText("Saved. Sessions started from now on use these settings.")
}

// checked validates the fields and returns the settings to store as
// key/value pairs, or a sentence saying what is wrong.
func (s *settingsScreen) checked() ([][2]string, string) {
	days, msg := wholeNumberIn(s.keepDays.Text, consent.MinKeepDays, consent.MaxKeepDays,
		"Keep recordings for a whole number of days from %d to %d.")
	if msg != "" {
		return nil, msg
	}
	minutes, msg := wholeNumberIn(s.autoLock.Text, minAutoLockMinutes, maxAutoLockMinutes,
		"Lock after a whole number of minutes from %d to %d.")
	if msg != "" {
		return nil, msg
	}
	kbps := 0
	for _, b := range bitrates {
		if b.label == s.quality.Selected {
			kbps = b.kbps
		}
	}
	if kbps == 0 {
		return nil, "Choose a recording quality."
	}
	headings := templateHeadings(s.template.Text)
	if len(headings) > maxTemplateHeadings {
		return nil, fmt.Sprintf("The notes template has %d headings; keep it to %d.", len(headings), maxTemplateHeadings)
	}
	p := consent.Policy{DefaultKeepDays: days, SupervisionExport: s.export.Checked}
	p.EndQuestion = s.endQuestion.Checked
	unanswered := session.UnansweredDelete
	for _, c := range unansweredChoices {
		if c.label == s.unanswered.Selected {
			unanswered = c.value
		}
	}
	p.KeepUnconfirmed = p.EndQuestion && unanswered == session.UnansweredKeep
	p.NeverRecordMinors = s.noMinors.Checked
	values := [][2]string{
		{settingKeepDays, strconv.Itoa(days)},
		{settingAutoLockMinutes, strconv.Itoa(minutes)},
		{settingBitrate, strconv.Itoa(kbps)},
		{settingSupervisionExport, strconv.FormatBool(s.export.Checked)},
		{session.SettingEndQuestion, strconv.FormatBool(p.EndQuestion)},
		{session.SettingUnanswered, unanswered},
		{session.SettingNeverRecordMinors, strconv.FormatBool(p.NeverRecordMinors)},
		{settingNotesTemplate, strings.Join(headings, "\n")},
	}
	supervision := false
	for _, f := range s.purposes {
		text, listeners := strings.TrimSpace(f.text.Text), strings.TrimSpace(f.listeners.Text)
		if f.offered.Checked {
			if text == "" || listeners == "" {
				return nil, fmt.Sprintf("Say why, and who may listen, for %s: the client reads both before saying yes.", f.id)
			}
			p.Purposes = append(p.Purposes, consent.Purpose{ID: f.id, Text: text, Listeners: listeners})
			supervision = supervision || f.id == consent.PurposeSupervision
		}
		values = append(values,
			[2]string{settingPurpose + f.id + "_offered", strconv.FormatBool(f.offered.Checked)},
			[2]string{settingPurpose + f.id + "_text", text},
			[2]string{settingPurpose + f.id + "_listeners", listeners})
	}
	if len(p.Purposes) == 0 {
		return nil, "Offer at least one purpose: a client agrees to a recording for a reason."
	}
	if s.export.Checked && !supervision {
		return nil, "An encrypted copy for your supervisor can only be offered together with supervision."
	}
	if err := p.Validate(); err != nil {
		s.ui.opt.Logf("settings make an invalid policy: %v", err)
		return nil, "These settings cannot be offered to a client."
	}
	return values, ""
}

// wholeNumberIn reads a whole number from lo to hi, or returns the
// sentence format (with lo and hi) saying what is wanted.
func wholeNumberIn(text string, lo, hi int, format string) (int, string) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Sprintf(format, lo, hi)
	}
	return n, ""
}

// changePassphrase checks the three fields, then changes the passphrase in
// the background: the key derivation is slow on purpose.
func (s *settingsScreen) changePassphrase() {
	s.ui.touch()
	old, p := s.oldPass.Text, s.newPass.pass.Text
	s.passResult.Importance = widget.DangerImportance
	switch {
	case old == "":
		s.passResult.SetText("Type your current passphrase first.")
		return
	case p == old && p != "":
		s.passResult.SetText("The new passphrase is the same as the current one. Nothing was changed.")
		return
	}
	if msg := s.newPass.check(); msg != "" {
		s.newPass.repeat.SetText("")
		s.passResult.SetText(msg)
		return
	}
	s.passResult.SetText("")
	s.change.busy(true)
	s.ui.background(func() error { return s.ui.db.ChangePassphrase(old, p) }, func(err error) {
		s.change.busy(false)
		s.oldPass.SetText("")
		if err != nil {
			s.passResult.SetText(changeProblem(err))
			if !errors.Is(err, storage.ErrWrongPassphrase) && !errors.Is(err, storage.ErrTooManyAttempts) {
				s.ui.opt.Logf("changing the passphrase: %v", err)
			}
			s.ui.win.Canvas().Focus(s.oldPass)
			return
		}
		s.newPass.clear()
		s.passResult.Importance = widget.SuccessImportance
		s.passResult.SetText("Your passphrase was changed. Use the new one from now on; your recovery key still works.")
	})
}

// changeProblem is the sentence shown for a failed passphrase change.
func changeProblem(err error) string {
	var retry *storage.RetryError
	switch {
	case errors.As(err, &retry):
		return fmt.Sprintf("Too many wrong passphrases. Please wait %d seconds before trying again. Nothing was changed.",
			int(math.Ceil(retry.Wait.Seconds())))
	case errors.Is(err, storage.ErrWrongPassphrase):
		return "The current passphrase is not right. Nothing was changed."
	case errors.Is(err, storage.ErrPassphraseTooShort):
		return strengthTooShort.hint()
	}
	return "The passphrase could not be changed. Nothing was changed; see the log."
}
