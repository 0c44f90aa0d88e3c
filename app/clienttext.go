package app

import (
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// Every sentence a client reads, in one place so that it can be
// translated: the client screen, the end-of-session summary, the client's
// record (on screen and as a PDF), and what went wrong in a step of the
// session. The words are in clientlang/<tag>.json, one file per language
// (the same tags as consent's lang/ files); this file names each key (a
// field of clientText) and, where a date, a duration or a name goes in,
// the small method that fills it in. Dates come in written by
// clientText.longDate, durations by clientText.duration.
//
// To add a sentence: a field here (with its comment: where it is shown),
// its key in clientlang/en.json and in every other clientlang file (a
// test fails until each has it, with the same %-verbs), and, if it takes
// arguments, a method below that formats it.
//
// Not here: the consent question and the receipt's page, which are
// consent's (consent/lang/), and the therapist's own screens, which stay
// in the app's language (appText, English).

//go:embed clientlang/*.json
var clientLangFiles embed.FS

// clientText is every sentence a client reads, in one language: one field
// per key of a clientlang file.
type clientText struct {
	// Language is the file's tag ("es"), Name the language in its own
	// words, Checked who checked the wording and when.
	Language string `json:"language"`
	Name     string `json:"name"`
	Checked  string `json:"checked"`

	// The client screen (kiosk.go).
	// MicOffText says that nothing is captured: under the question, after
	// a stop, while paused, in notes only and after the end.
	MicOffText string `json:"micOffText"`
	// YesText is each person's button to agree to today's recording.
	YesText string `json:"yesText"`
	// NoText is each person's button to refuse it, as large as yesText.
	NoText string `json:"noText"`
	// StopText is the button that stops capture while recording or paused.
	StopText string `json:"stopText"`
	// NoMicText is under the question when the computer has no
	// microphone, and the problem shown when a yes finds none.
	NoMicText string `json:"noMicText"`
	// ReadAloudText heads the question when the therapist reads it.
	ReadAloudText string `json:"readAloudText"`
	// NotPossibleText answers a step that the session's state does not
	// allow.
	NotPossibleText string `json:"notPossibleText"`
	// DeleteSoonerHeading heads the deletion choices, after the answers.
	DeleteSoonerHeading string `json:"deleteSoonerHeading"`
	// DeleteSoonerToday is the "delete sooner" choice of the end of today.
	DeleteSoonerToday string `json:"deleteSoonerToday"`
	// AnswerNotTakenText is shown when consent refused a person's answer.
	AnswerNotTakenText string `json:"answerNotTakenText"`
	// MeterText labels the sound level bar while recording.
	MeterText string `json:"meterText"`
	// RecordingHeading is beside the red dot while recording.
	RecordingHeading string `json:"recordingHeading"`
	// StopAnyMomentText is under the level while recording.
	StopAnyMomentText string `json:"stopAnyMomentText"`
	// StoppedHeading heads the choice after a stop.
	StoppedHeading string `json:"stoppedHeading"`
	// WhatHappensText asks, after a stop, what happens to the recording.
	WhatHappensText string `json:"whatHappensText"`
	// DeleteAllNowText is the choice, after a stop, to delete everything.
	DeleteAllNowText string `json:"deleteAllNowText"`
	// ChoiceNotDoneText is shown when consent refused the choice after a
	// stop.
	ChoiceNotDoneText string `json:"choiceNotDoneText"`
	// AllDeletedText confirms the choice to delete everything.
	AllDeletedText string `json:"allDeletedText"`
	// PausedHeading heads the client screen while paused.
	PausedHeading string `json:"pausedHeading"`
	// EndedHeading heads the client screen once the session has ended.
	EndedHeading string `json:"endedHeading"`
	// NotesOnlyHeading heads the client screen in notes only.
	NotesOnlyHeading string `json:"notesOnlyHeading"`
	// NotesOnlyText is under notesOnlyHeading.
	NotesOnlyText string `json:"notesOnlyText"`
	// ForTherapistText is the small button that leaves a client screen
	// (the kiosk, the client's record shown to the client) for the
	// passphrase.
	ForTherapistText string `json:"forTherapistText"`
	// SummaryHeading heads the summary.
	SummaryHeading string `json:"summaryHeading"`
	// SummaryDone is the button that ends the summary and locks.
	SummaryDone string `json:"summaryDone"`
	// SummaryUnreadable stands in for the summary when the recordings
	// could not be read.
	SummaryUnreadable string `json:"summaryUnreadable"`
	// RecordTitle heads the PDF, and is its title property.
	RecordTitle string `json:"recordTitle"`
	// RecordForClient is under the PDF's title: the client's label.
	RecordForClient string `json:"recordForClient"`
	// RecordAtPractice is under it, when the practice has a name.
	RecordAtPractice string `json:"recordAtPractice"`
	// RecordIntro opens the PDF, and is its subject property.
	RecordIntro string `json:"recordIntro"`
	// RecordAbout follows recordIntro.
	RecordAbout string `json:"recordAbout"`
	// RecordTimeZone follows recordAbout: which time the times are
	// (clientRecord.zone).
	RecordTimeZone string `json:"recordTimeZone"`
	// RecordZoneName is the time zone recordTimeZone names: its name (or
	// recordLocalZone), then its abbreviation and offset from UTC.
	RecordZoneName string `json:"recordZoneName"`
	// RecordLocalZone names the computer's own time zone.
	RecordLocalZone string `json:"recordLocalZone"`
	// RecordNoSessions ends the PDF of a client with no session.
	RecordNoSessions string `json:"recordNoSessions"`
	// RecordSessionHeading heads each session: its date, its time.
	RecordSessionHeading string `json:"recordSessionHeading"`
	// RecordLabelRecorded labels whether the session was recorded.
	RecordLabelRecorded string `json:"recordLabelRecorded"`
	// RecordLabelMinutes labels how long it was recorded.
	RecordLabelMinutes string `json:"recordLabelMinutes"`
	// RecordLabelDeletion labels when its recordings are or were deleted.
	RecordLabelDeletion string `json:"recordLabelDeletion"`
	// RecordLabelPlayed labels how often and when it was played.
	RecordLabelPlayed string `json:"recordLabelPlayed"`
	// RecordLabelExported labels when it was exported, if it was.
	RecordLabelExported string `json:"recordLabelExported"`
	// RecordLabelReceipt labels the consent receipt's number.
	RecordLabelReceipt string `json:"recordLabelReceipt"`
	// RecordConsentHeading heads each session's consent steps.
	RecordConsentHeading string `json:"recordConsentHeading"`
	// RecordProgressHeading heads a session's progress notes, when the
	// therapist shows them in the record.
	RecordProgressHeading string `json:"recordProgressHeading"`
	// recordModeRecorded: the session was recorded.
	RecordModeRecorded string `json:"recordModeRecorded"`
	// recordModeNotesOnly: it was kept as notes only.
	RecordModeNotesOnly string `json:"recordModeNotesOnly"`
	// recordModeDeclined: someone said no.
	RecordModeDeclined string `json:"recordModeDeclined"`
	// recordModeWithdrawn: it was recorded until stopped; one of the
	// recordWithdraw sentences follows.
	RecordModeWithdrawn string `json:"recordModeWithdrawn"`
	// recordModeUnknown: the session's consent history could not be read.
	RecordModeUnknown string `json:"recordModeUnknown"`
	// recordWithdrawKept: after a stop, what was recorded was kept.
	RecordWithdrawKept string `json:"recordWithdrawKept"`
	// recordWithdrawAll: after a stop, all of it was deleted.
	RecordWithdrawAll string `json:"recordWithdrawAll"`
	// recordWithdrawLast: after a stop, the last minutes ("5 minutes")
	// were deleted.
	RecordWithdrawLast string `json:"recordWithdrawLast"`
	// RecordNoMinutes is the minutes recorded of a session not recorded.
	RecordNoMinutes string `json:"recordNoMinutes"`
	// RecordNothingToDelete is the deletion of a session not recorded.
	RecordNothingToDelete string `json:"recordNothingToDelete"`
	// recordWillDelete: the date a recording will be deleted, and how
	// long until then ("12 days").
	RecordWillDelete string `json:"recordWillDelete"`
	// recordDue: the date a recording was due to be deleted, when the
	// purge has not run since.
	RecordDue string `json:"recordDue"`
	// recordDeleted: the date and time a recording was deleted; why may
	// follow in brackets (recordDeleteReasons).
	RecordDeleted string `json:"recordDeleted"`
	// recordPart: the part's number, its length and its deletion, for a
	// session recorded in several parts.
	RecordPart string `json:"recordPart"`
	// RecordLessThanADay is how long until a deletion due later today.
	RecordLessThanADay string `json:"recordLessThanADay"`
	// recordNever: the recording was never played (or exported).
	RecordNever string `json:"recordNever"`
	// recordTimes: how many times ("2 times"), then when, each
	// recordAt, joined by ";\n".
	RecordTimes string `json:"recordTimes"`
	// RecordAt is a date and a time: "Wednesday 3 June 2026 at 09:15".
	RecordAt string `json:"recordAt"`
	// RecordAuditHead says where the practice's tamper-evident log stood
	// when the record was made, so it can later be shown to still hold it.
	RecordAuditHead string `json:"recordAuditHead"`
	// RecordFooter ends every page of the PDF: the date and time it was
	// made; " — " and recordPageOf follow.
	RecordFooter string `json:"recordFooter"`
	// RecordPageOf is the page number and the count of pages.
	RecordPageOf string `json:"recordPageOf"`
	// RecordDefaultOwner is named in the consent receipts as responsible
	// for the recordings when the practice has no name.
	RecordDefaultOwner string `json:"recordDefaultOwner"`
	// RecordScreenNoSessions is the record on screen of a client with no
	// session.
	RecordScreenNoSessions string `json:"recordScreenNoSessions"`

	// PausedStatus is the state of the microphone while paused.
	PausedStatus string `json:"pausedStatus"`
	// SummaryNotRecorded is the summary of a session never recorded.
	SummaryNotRecorded string `json:"summaryNotRecorded"`

	// Formats of the client screen, filled in by the methods below.
	DeleteOnChoice         string `json:"deleteOnChoice"`
	DeleteSoonerDaysChoice string `json:"deleteSoonerDaysChoice"`
	PersonLabel            string `json:"personLabel"`
	SaidYesText            string `json:"saidYesText"`
	RecordingDeletedOnText string `json:"recordingDeletedOnText"`
	KeepUntilChoice        string `json:"keepUntilChoice"`
	DeleteLastChoice       string `json:"deleteLastChoice"`
	LastDeletedText        string `json:"lastDeletedText"`
	KeptUntilText          string `json:"keptUntilText"`

	// Formats of the summary.
	SummaryAllDeleted  string `json:"summaryAllDeleted"`
	SummaryRecorded    string `json:"summaryRecorded"`
	SummaryPartDeleted string `json:"summaryPartDeleted"`
	SummaryDeletedOn   string `json:"summaryDeletedOn"`

	// RecordScreenTitle heads the record on screen: "Record of A.B.".
	RecordScreenTitle string `json:"recordScreenTitle"`

	// Why storage deleted a recording, in plain words (deleteReason).
	ReasonDeletionDate     string `json:"reasonDeletionDate"`
	ReasonWithdrawn        string `json:"reasonWithdrawn"`
	ReasonNothingRecovered string `json:"reasonNothingRecovered"`
	ReasonNoFile           string `json:"reasonNoFile"`
	// ReasonUnanswered: the question at the end went unanswered.
	ReasonUnanswered string `json:"reasonUnanswered"`

	// What went wrong in a step of the session (problemText), read by the
	// people in the room on the client screen and by the therapist on
	// theirs. The detail goes to the log.
	ProblemNotStarted           string `json:"problemNotStarted"`
	ProblemAnswerNotStored      string `json:"problemAnswerNotStored"`
	ProblemWithdrawalNotStored  string `json:"problemWithdrawalNotStored"`
	ProblemJoinNotStored        string `json:"problemJoinNotStored"`
	ProblemEndNotStored         string `json:"problemEndNotStored"`
	ProblemDeletionNotShortened string `json:"problemDeletionNotShortened"`
	ProblemDeleteLastFailed     string `json:"problemDeleteLastFailed"`
	ProblemMicrophoneNotStarted string `json:"problemMicrophoneNotStarted"`
	ProblemRecordingNotCreated  string `json:"problemRecordingNotCreated"`
	ProblemFileLost             string `json:"problemFileLost"`
	ProblemWithdrawalOwed       string `json:"problemWithdrawalOwed"`
	ProblemClockBehind          string `json:"problemClockBehind"`
	ProblemStepOwed             string `json:"problemStepOwed"`
	// StepNotSavedText is the problem of a step that could not be stored,
	// of any other kind.
	StepNotSavedText string `json:"stepNotSavedText"`
	// The recording stopped by itself (recordingStoppedText): why, then
	// how much was recorded before and until when it is kept.
	StoppedMicrophoneFailed string `json:"stoppedMicrophoneFailed"`
	StoppedMicrophoneSilent string `json:"stoppedMicrophoneSilent"`
	StoppedDiskFailed       string `json:"stoppedDiskFailed"`
	RecordingStoppedText    string `json:"recordingStoppedText"`

	// The client's last word (kiosk.go, clientcopy.go): their own pause,
	// the question at the end of a recorded session, "please don't ask me
	// again", and a copy of a recording for the client.
	// PauseText the button beside StopText while recording: the microphone turns off until the client taps ResumeText.
	PauseText string `json:"pauseText"`
	// PausedNowText the state of the microphone during the client's pause.
	PausedNowText string `json:"pausedNowText"`
	// ResumeText the client's button that ends their pause.
	ResumeText string `json:"resumeText"`
	// PausedOnlyHereText under PausedNowText.
	PausedOnlyHereText string `json:"pausedOnlyHereText"`
	// EndQuestionHeading heads the question at the end of a recorded session.
	EndQuestionHeading string `json:"endQuestionHeading"`
	// EndQuestionText is under EndQuestionHeading.
	EndQuestionText string `json:"endQuestionText"`
	// KeepItText each recorded person's answer to keep it at the end, as large as DeleteItNowText; neither is preselected.
	KeepItText string `json:"keepItText"`
	// DeleteItNowText each recorded person's answer to delete it at the end.
	DeleteItNowText string `json:"deleteItNowText"`
	// DontAskText the quiet third answer beside YesText and NoText, for the client.
	DontAskText string `json:"dontAskText"`
	// NotAskedText the client screen in notes only when the client asked not to be asked.
	NotAskedText string `json:"notAskedText"`
	// AskAgainText the client's quiet button that lifts it.
	AskAgainText string `json:"askAgainText"`
	// AskAgainDoneText confirms it.
	AskAgainDoneText string `json:"askAgainDoneText"`
	// MinorNotRecordedText the client screen in notes only when the practice never records with a minor present.
	MinorNotRecordedText string `json:"minorNotRecordedText"`
	// KeepQuestion asks one recorded person at the end: their name, then the deletion date.
	KeepQuestion string `json:"keepQuestion"`
	// SaidKeepText replaces a person's two answers at the end once they said keep: their name.
	SaidKeepText string `json:"saidKeepText"`
	// CopyHeading heads the client's copy screen (clientcopy.go).
	CopyHeading string `json:"copyHeading"`
	// CopyIntro explains it.
	CopyIntro string `json:"copyIntro"`
	// CopyPassPlaceholder is the first passphrase field.
	CopyPassPlaceholder string `json:"copyPassPlaceholder"`
	// CopyRepeatPlaceholder is the second.
	CopyRepeatPlaceholder string `json:"copyRepeatPlaceholder"`
	// CopyMakeText is the button that asks where to save it.
	CopyMakeText string `json:"copyMakeText"`
	// CopyTooShortText says the passphrase is too short.
	CopyTooShortText string `json:"copyTooShortText"`
	// CopyMismatchText says the two passphrases differ.
	CopyMismatchText string `json:"copyMismatchText"`
	// CopyDoneText confirms the copy, once written.
	CopyDoneText string `json:"copyDoneText"`
	// CopyFailedText says the copy could not be made.
	CopyFailedText string `json:"copyFailedText"`
	// CopyRefusedText says why no copy is offered.
	CopyRefusedText string `json:"copyRefusedText"`
	// CopyPlainIntro offers, under the encrypted copy, a plain MP3 on the
	// client's own USB drive, and warns that anyone with the drive can
	// play it.
	CopyPlainIntro string `json:"copyPlainIntro"`
	// CopyPlainText is the button that asks for a folder on the drive.
	CopyPlainText string `json:"copyPlainText"`
	// CopyPlainDoneText confirms the plain MP3, once written and synced.
	CopyPlainDoneText string `json:"copyPlainDoneText"`
	// CopyNotRemovableText refuses a folder that is not on a removable
	// drive.
	CopyNotRemovableText string `json:"copyNotRemovableText"`
	// CopyCannotTellText refuses a folder where this computer cannot tell
	// whether it is on a removable drive.
	CopyCannotTellText string `json:"copyCannotTellText"`
	// CopyAgreeText is, at the end, each other recorded person's own choice, unticked: the client may have a copy.
	CopyAgreeText string `json:"copyAgreeText"`
	// RecordLabelCopyGiven labels, in the client's record, when a copy was given to the client.
	RecordLabelCopyGiven string `json:"recordLabelCopyGiven"`
	// ProblemChoiceNotStored is the problem when an answer at the end could not be stored.
	ProblemChoiceNotStored string `json:"problemChoiceNotStored"`

	// Durations and counts in words (duration, count): the one and the
	// many of each unit, the many with %d.
	Hour    string `json:"hour"`
	Hours   string `json:"hours"`
	Minute  string `json:"minute"`
	Minutes string `json:"minutes"`
	Second  string `json:"second"`
	Seconds string `json:"seconds"`
	Day     string `json:"day"`
	Days    string `json:"days"`
	Time    string `json:"time"`
	Times   string `json:"times"`
}

// clientTexts holds every clientlang file by tag. A file that cannot be
// read is left out and its error kept in clientTextErrs, which the tests
// require to be empty.
var clientTexts, clientTextErrs = loadClientTexts(clientLangFiles)

// appText is the app's own language, English: the therapist's screens
// use it, and a client whose language has no clientlang file.
var appText = clientTextOf(consent.DefaultLanguage)

// loadClientTexts reads every clientlang/*.json of files, refusing
// unknown keys and a file that names another language.
func loadClientTexts(files fs.FS) (map[string]*clientText, []error) {
	return consent.LoadLanguages(files, "clientlang/*.json", func(t *clientText) string { return t.Language })
}

// clientTextOf is the wording of language tag: English for "" and for a
// tag with no clientlang file.
func clientTextOf(tag string) *clientText {
	if t, ok := clientTexts[tag]; ok {
		return t
	}
	if t, ok := clientTexts[consent.DefaultLanguage]; ok {
		return t
	}
	return new(clientText)
}

// longDate writes a date in full in this language: "Sunday 27 December
// 2026", "domingo 27 de diciembre de 2026".
func (t *clientText) longDate(at time.Time, loc *time.Location) string {
	return consent.LongDateIn(t.Language, at, loc)
}

// deleteOnChoice is the "delete sooner" choice that keeps the date asked
// for: "Delete it on Sunday 27 December 2026".
func (t *clientText) deleteOnChoice(date string) string { return fmt.Sprintf(t.DeleteOnChoice, date) }

// deleteSoonerDaysChoice is the "delete sooner" choice of a number of
// days, with its date: "Delete it sooner: after 7 days, on Wednesday 9
// December 2026".
func (t *clientText) deleteSoonerDaysChoice(days int, date string) string {
	return fmt.Sprintf(t.DeleteSoonerDaysChoice, days, date)
}

// personLabel names a person above their two buttons: "Anna (client)".
func (t *clientText) personLabel(name string, role consent.Role) string {
	return fmt.Sprintf(t.PersonLabel, name, consent.RoleIn(t.Language, role))
}

// saidYesText replaces a person's buttons once they have said yes.
func (t *clientText) saidYesText(name string) string { return fmt.Sprintf(t.SaidYesText, name) }

// recordingDeletedOnText says, while recording, when the recording is
// deleted.
func (t *clientText) recordingDeletedOnText(date string) string {
	return fmt.Sprintf(t.RecordingDeletedOnText, date)
}

// keepUntilChoice is the choice, after a stop, to keep what was recorded.
func (t *clientText) keepUntilChoice(date string) string { return fmt.Sprintf(t.KeepUntilChoice, date) }

// deleteLastChoice is the choice, after a stop, to delete the last
// minutes recorded.
func (t *clientText) deleteLastChoice(minutes int) string {
	return fmt.Sprintf(t.DeleteLastChoice, minutes)
}

// lastDeletedText confirms the choice to delete the last minutes.
func (t *clientText) lastDeletedText(minutes int) string {
	return fmt.Sprintf(t.LastDeletedText, minutes)
}

// keptUntilText confirms the choice to keep what was recorded.
func (t *clientText) keptUntilText(date string) string { return fmt.Sprintf(t.KeptUntilText, date) }

// keepQuestion asks one recorded person at the end: "Anna: keep today's
// recording until Sunday 27 December 2026?"
func (t *clientText) keepQuestion(name, date string) string {
	return fmt.Sprintf(t.KeepQuestion, name, date)
}

// saidKeepText replaces a person's two answers at the end once they said
// keep.
func (t *clientText) saidKeepText(name string) string { return fmt.Sprintf(t.SaidKeepText, name) }

// summaryAllDeleted is the summary when everything recorded was deleted.
func (t *clientText) summaryAllDeleted(duration string) string {
	return fmt.Sprintf(t.SummaryAllDeleted, duration)
}

// summaryRecorded says how long the session was recorded, in all.
func (t *clientText) summaryRecorded(duration string) string {
	return fmt.Sprintf(t.SummaryRecorded, duration)
}

// summaryPartDeleted says how much of it the client chose to delete.
func (t *clientText) summaryPartDeleted(duration string) string {
	return fmt.Sprintf(t.SummaryPartDeleted, duration)
}

// summaryDeletedOn says when what is kept is deleted.
func (t *clientText) summaryDeletedOn(date string) string {
	return fmt.Sprintf(t.SummaryDeletedOn, date)
}

// recordScreenTitle heads the record on screen: "Record of A.B.".
func (t *clientText) recordScreenTitle(client string) string {
	return fmt.Sprintf(t.RecordScreenTitle, client)
}

// deleteReason says in plain words why storage deleted a recording; any
// other reason (package session's, such as "the client chose to delete
// the last 5 minutes") is shown as it was given.
func (t *clientText) deleteReason(reason string) string {
	switch reason {
	case storage.ReasonDeletionDate:
		return t.ReasonDeletionDate
	case storage.ReasonWithdrawn:
		return t.ReasonWithdrawn
	case storage.ReasonNothingRecovered:
		return t.ReasonNothingRecovered
	case storage.ReasonNoFile:
		return t.ReasonNoFile
	case storage.ReasonUnanswered:
		return t.ReasonUnanswered
	}
	return reason
}

// problemSentence is the sentence for a session.Problem's kind; the
// microphone or the disk failing while recording is recordingStoppedText,
// and any kind not listed is StepNotSavedText.
func (t *clientText) problemSentence(k session.Kind) string {
	switch k {
	case session.KindNotStarted:
		return t.ProblemNotStarted
	case session.KindAnswerNotStored:
		return t.ProblemAnswerNotStored
	case session.KindWithdrawalNotStored:
		return t.ProblemWithdrawalNotStored
	case session.KindJoinNotStored:
		return t.ProblemJoinNotStored
	case session.KindEndNotStored:
		return t.ProblemEndNotStored
	case session.KindDeletionNotShortened:
		return t.ProblemDeletionNotShortened
	case session.KindDeleteLastFailed:
		return t.ProblemDeleteLastFailed
	case session.KindNoMicrophone:
		return t.NoMicText
	case session.KindMicrophoneNotStarted:
		return t.ProblemMicrophoneNotStarted
	case session.KindRecordingNotCreated:
		return t.ProblemRecordingNotCreated
	case session.KindFileLost:
		return t.ProblemFileLost
	case session.KindWithdrawalOwed:
		return t.ProblemWithdrawalOwed
	case session.KindClockBehind:
		return t.ProblemClockBehind
	case session.KindStepOwed:
		return t.ProblemStepOwed
	case session.KindChoiceNotStored:
		return t.ProblemChoiceNotStored
	}
	return t.StepNotSavedText
}

// recordingStoppedText says why the recording stopped by itself (kind is
// session.KindMicrophoneFailed, KindMicrophoneSilent or KindDiskFailed),
// how much was recorded before and until when it is kept.
func (t *clientText) recordingStoppedText(kind session.Kind, kept, date string) string {
	what := t.StoppedMicrophoneFailed
	switch kind {
	case session.KindDiskFailed:
		what = t.StoppedDiskFailed
	case session.KindMicrophoneSilent:
		what = t.StoppedMicrophoneSilent
	}
	return fmt.Sprintf(t.RecordingStoppedText, what, kept, date)
}

// duration writes d as "3 minutes 5 seconds", or "1 hour 59 minutes"
// from an hour on.
func (t *clientText) duration(d time.Duration) string {
	if h := int(d / time.Hour); h > 0 {
		if m := int(d % time.Hour / time.Minute); m > 0 {
			return count(h, t.Hour, t.Hours) + " " + count(m, t.Minute, t.Minutes)
		}
		return count(h, t.Hour, t.Hours)
	}
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case m == 0:
		return count(s, t.Second, t.Seconds)
	case s == 0:
		return count(m, t.Minute, t.Minutes)
	}
	return count(m, t.Minute, t.Minutes) + " " + count(s, t.Second, t.Seconds)
}

// days writes n days: "1 day", "12 days".
func (t *clientText) days(n int) string { return count(n, t.Day, t.Days) }

// times writes n times: "1 time", "2 times".
func (t *clientText) times(n int) string { return count(n, t.Time, t.Times) }

// count is one for n == 1, else many filled in with n.
func count(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(many, n)
}

// Durations and counts in words, as the therapist's screens write them.

// humanDuration writes d as "3 minutes 5 seconds", or "1 hour 59 minutes"
// from an hour on, in the app's language.
func humanDuration(d time.Duration) string { return appText.duration(d) }

// plural writes n of unit: "1 day", "12 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Said to the therapist, in the app's language: the passphrase dialog over
// a client screen, and the library's reasons a recording cannot be used.
const (
	// passphraseTitle heads the passphrase dialog over a client screen.
	passphraseTitle = "Therapist's passphrase"
	// passphraseOpen is the dialog's button that opens the therapist's
	// screen.
	passphraseOpen = "Open the therapist's screen"
	// passphraseBack is the dialog's button that closes it.
	passphraseBack = "Back to the client screen"
)

// clientTriesPause is said in the passphrase dialog over a client screen
// after too many wrong tries: the dialog pauses; nothing else does.
func clientTriesPause(wait time.Duration) string {
	return fmt.Sprintf("Too many wrong passphrases. Please wait %s before trying again. Stop recording still works at any moment.",
		humanDuration(wait.Round(time.Second)))
}

// owedRecordingText says, in the library, why a recording whose deletion
// is owed cannot be played or exported.
const owedRecordingText = "This recording can't be played or exported: deleting it, as the client asked, has not finished yet. Assent keeps trying."

// notInBackupText says, in the library, why a recording whose file is not
// in the data folder cannot be played: a database restored from a backup
// (recordings are kept out of backups on purpose).
const notInBackupText = "Not in the backup: this recording's file is not in the data folder (recordings are kept out of backups on purpose), so it cannot be played. It is deleted on its date as usual."

// clockBehindText says why nothing plays while the computer's clock reads
// more than a day before the latest time Assent has seen.
func clockBehindText(now, latest time.Time) string {
	return fmt.Sprintf("This computer's clock reads %s, but Assent has already seen %s: recordings cannot be played until the clock is set right. Deletions go by the later time.",
		now.Format("2 January 2006 15:04"), latest.Format("2 January 2006 15:04"))
}

// agreedAlteredText says why a recording whose agreed terms were changed
// in the database by hand is neither played nor exported.
const agreedAlteredText = "This recording can't be played or exported: what was agreed for it was changed in the database, not by Assent. Run `assent verify` to see what changed."
