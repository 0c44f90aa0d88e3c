package app

import (
	"fmt"
	"time"

	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// Every sentence a client reads, in one place so that it can be
// translated: the client screen, the end-of-session summary, the client's
// record (on screen and as a PDF), and what went wrong in a step of the
// session. Constants for fixed words; small functions, or formats named
// as such, where a date, a duration or a name goes in. Dates come in
// written by consent.LongDate, durations by humanDuration.
//
// Not here: the consent question and the receipt's page, which are
// consent's (consent/text.go), and the therapist's own screens.

// The client screen (kiosk.go).
const (
	// micOffText says that nothing is captured: under the question, after
	// a stop, while paused, in notes only and after the end.
	micOffText = "Microphone off — not recording"
	// yesText is each person's button to agree to today's recording.
	yesText = "Yes, record today's session"
	// noText is each person's button to refuse it, as large as yesText.
	noText = "No — notes only today"
	// stopText is the button that stops capture while recording or paused.
	stopText = "Stop recording"
	// noMicText is under the question when the computer has no
	// microphone, and the problem shown when a yes finds none.
	noMicText = "Recording isn't available on this computer right now — notes only is ready."
	// readAloudText heads the question when the therapist reads it.
	readAloudText = "Your therapist reads this to you and enters the answer each person gives aloud."
	// notPossibleText answers a step that the session's state does not
	// allow.
	notPossibleText = "That is not possible now."
	// deleteSoonerHeading heads the deletion choices, after the answers.
	deleteSoonerHeading = "Anyone may ask for it to be deleted sooner — choose before saying yes:"
	// deleteSoonerToday is the "delete sooner" choice of the end of today.
	deleteSoonerToday = "Delete it at the end of today"
	// answerNotTakenText is shown when consent refused a person's answer.
	answerNotTakenText = "That answer could not be taken. Please ask your therapist."
	// meterText labels the sound level bar while recording.
	meterText = "sound level"
	// recordingHeading is beside the red dot while recording.
	recordingHeading = "Recording"
	// stopAnyMomentText is under the level while recording.
	stopAnyMomentText = "Tap “Stop recording” at any moment. Nothing more is recorded after that, and you choose what happens to what was."
	// stoppedHeading heads the choice after a stop.
	stoppedHeading = "Recording stopped"
	// whatHappensText asks, after a stop, what happens to the recording.
	whatHappensText = "What should happen to what was recorded today?"
	// deleteAllNowText is the choice, after a stop, to delete everything.
	deleteAllNowText = "Delete all of it now"
	// choiceNotDoneText is shown when consent refused the choice after a
	// stop.
	choiceNotDoneText = "That could not be done. Please tell your therapist; what was recorded is still kept until its date."
	// allDeletedText confirms the choice to delete everything.
	allDeletedText = "Everything recorded today has been deleted."
	// pausedHeading heads the client screen while paused.
	pausedHeading = "Paused"
	// pausedStatus is the state of the microphone while paused.
	pausedStatus = "Paused. " + micOffText + "."
	// endedHeading heads the client screen once the session has ended.
	endedHeading = "The session has ended"
	// notesOnlyHeading heads the client screen in notes only.
	notesOnlyHeading = "Notes only"
	// notesOnlyText is under notesOnlyHeading.
	notesOnlyText = "Your therapist may take notes. Please give the laptop back to your therapist."
	// forTherapistText is the small button that leaves a client screen
	// (the kiosk, the client's record shown to the client) for the
	// passphrase.
	forTherapistText = "For the therapist"
	// passphraseTitle heads the passphrase dialog over a client screen.
	passphraseTitle = "Therapist's passphrase"
	// passphraseOpen is the dialog's button that opens the therapist's
	// screen.
	passphraseOpen = "Open the therapist's screen"
	// passphraseBack is the dialog's button that closes it.
	passphraseBack = "Back to the client screen"
)

// deleteOnChoice is the "delete sooner" choice that keeps the date asked
// for: "Delete it on Sunday 27 December 2026".
func deleteOnChoice(date string) string { return "Delete it on " + date }

// deleteSoonerDaysChoice is the "delete sooner" choice of a number of
// days, with its date: "Delete it sooner: after 7 days, on Wednesday 9
// December 2026".
func deleteSoonerDaysChoice(days int, date string) string {
	return fmt.Sprintf("Delete it sooner: after %d days, on %s", days, date)
}

// personLabel names a person above their two buttons: "Anna (client)".
func personLabel(name, role string) string { return name + " (" + role + ")" }

// saidYesText replaces a person's buttons once they have said yes.
func saidYesText(name string) string { return name + " said yes." }

// recordingDeletedOnText says, while recording, when the recording is
// deleted.
func recordingDeletedOnText(date string) string {
	return "This recording is deleted on " + date + "."
}

// keepUntilChoice is the choice, after a stop, to keep what was recorded.
func keepUntilChoice(date string) string { return "Keep it until " + date }

// deleteLastChoice is the choice, after a stop, to delete the last
// minutes recorded.
func deleteLastChoice(minutes int) string {
	return fmt.Sprintf("Delete the last %d minutes", minutes)
}

// lastDeletedText confirms the choice to delete the last minutes.
func lastDeletedText(minutes int) string {
	return fmt.Sprintf("The last %d minutes have been deleted.", minutes)
}

// keptUntilText confirms the choice to keep what was recorded.
func keptUntilText(date string) string {
	return "What was recorded is kept until " + date + ", then deleted."
}

// The end-of-session summary (summary.go).
const (
	// summaryHeading heads the summary.
	summaryHeading = "Today's session has ended"
	// summaryDone is the button that ends the summary and locks.
	summaryDone = "Done"
	// summaryUnreadable stands in for the summary when the recordings
	// could not be read.
	summaryUnreadable = "Your therapist can show you the record of today's session."
	// summaryNotRecorded is the summary of a session never recorded.
	summaryNotRecorded = "Today's session was not recorded. " + micOffText + "."
)

// summaryAllDeleted is the summary when everything recorded was deleted.
func summaryAllDeleted(duration string) string {
	return fmt.Sprintf("Today's session was recorded for %s, and all of it has been deleted, as you chose.", duration)
}

// summaryRecorded says how long the session was recorded, in all.
func summaryRecorded(duration string) string {
	return fmt.Sprintf("Today's session was recorded for %s.", duration)
}

// summaryPartDeleted says how much of it the client chose to delete.
func summaryPartDeleted(duration string) string {
	return fmt.Sprintf("%s of it was deleted, as you chose.", duration)
}

// summaryDeletedOn says when what is kept is deleted.
func summaryDeletedOn(date string) string {
	return "What is kept is deleted on " + date + ". Nobody can keep it longer."
}

// The client's record, on screen (clientrecordscreen.go) and as a PDF
// (clientrecordpdf.go); built in clientrecord.go. The consent steps
// themselves are consent's (Receipt.Page), so they read as on the client
// screen. Names ending in a format's verbs take fmt.Sprintf arguments, in
// the order the comment gives.
const (
	// recordTitle heads the PDF, and is its title property.
	recordTitle = "Record of sessions"
	// recordForClient is under the PDF's title: the client's label.
	recordForClient = "For: %s"
	// recordAtPractice is under it, when the practice has a name.
	recordAtPractice = "Practice: %s"
	// recordIntro opens the PDF, and is its subject property.
	recordIntro = "This record lists every session of yours kept in Assent: whether it was recorded, for how long, when the recording will be or was deleted, how many times it was played, and each step of consent with its time."
	// recordAbout follows recordIntro.
	recordAbout = "Recordings are encrypted and kept only on your therapist's computer. Each one is erased for good on its deletion date, or sooner if you choose. Every playback is written to a log that cannot be changed unnoticed."
	// recordTimeZone follows recordAbout: which time the times are
	// (clientRecord.zone).
	recordTimeZone = "Times are %s."
	// recordZoneName is the time zone recordTimeZone names: its name (or
	// recordLocalZone), then its abbreviation and offset from UTC.
	recordZoneName = "%s time (%s)"
	// recordLocalZone names the computer's own time zone.
	recordLocalZone = "local"
	// recordNoSessions ends the PDF of a client with no session.
	recordNoSessions = "There are no sessions yet."
	// recordSessionHeading heads each session: its date, its time.
	recordSessionHeading = "Session of %s, %s"
	// recordLabelRecorded labels whether the session was recorded.
	recordLabelRecorded = "Recorded?"
	// recordLabelMinutes labels how long it was recorded.
	recordLabelMinutes = "Minutes recorded"
	// recordLabelDeletion labels when its recordings are or were deleted.
	recordLabelDeletion = "Deletion"
	// recordLabelPlayed labels how often and when it was played.
	recordLabelPlayed = "Played"
	// recordLabelExported labels when it was exported, if it was.
	recordLabelExported = "Given to supervisor"
	// recordLabelReceipt labels the consent receipt's number.
	recordLabelReceipt = "Receipt number"
	// recordConsentHeading heads each session's consent steps.
	recordConsentHeading = "Consent, step by step"
	// recordProgressHeading heads a session's progress notes, when the
	// therapist shows them in the record.
	recordProgressHeading = "Your therapist's notes of this session"
	// recordModeRecorded: the session was recorded.
	recordModeRecorded = "Yes: recorded."
	// recordModeNotesOnly: it was kept as notes only.
	recordModeNotesOnly = "No: notes only."
	// recordModeDeclined: someone said no.
	recordModeDeclined = "No: declined. Someone said no, so nothing was recorded."
	// recordModeWithdrawn: it was recorded until stopped; one of the
	// recordWithdraw sentences follows.
	recordModeWithdrawn = "Yes, until the recording was stopped (withdrawn)."
	// recordModeUnknown: the session's consent history could not be read.
	recordModeUnknown = "Unknown: the consent history of this session could not be read. Please ask your therapist."
	// recordWithdrawKept: after a stop, what was recorded was kept.
	recordWithdrawKept = "What was recorded is kept until its deletion date."
	// recordWithdrawAll: after a stop, all of it was deleted.
	recordWithdrawAll = "All of it was deleted."
	// recordWithdrawLast: after a stop, the last minutes ("5 minutes")
	// were deleted.
	recordWithdrawLast = "The last %s were deleted."
	// recordNoMinutes is the minutes recorded of a session not recorded.
	recordNoMinutes = "None"
	// recordNothingToDelete is the deletion of a session not recorded.
	recordNothingToDelete = "Nothing was recorded, so there is nothing to delete."
	// recordWillDelete: the date a recording will be deleted, and how
	// long until then ("12 days").
	recordWillDelete = "Will be deleted on %s (in %s)."
	// recordDue: the date a recording was due to be deleted, when the
	// purge has not run since.
	recordDue = "Due for deletion on %s; it is erased the next time Assent runs."
	// recordDeleted: the date and time a recording was deleted; why may
	// follow in brackets (recordDeleteReasons).
	recordDeleted = "Deleted on %s at %s"
	// recordPart: the part's number, its length and its deletion, for a
	// session recorded in several parts.
	recordPart = "Part %d (%s): %s"
	// recordLessThanADay is how long until a deletion due later today.
	recordLessThanADay = "less than a day"
	// recordNever: the recording was never played (or exported).
	recordNever = "Never."
	// recordTimes: how many times ("2 times"), then when, each
	// recordAt, joined by ";\n".
	recordTimes = "%s: %s."
	// recordAt is a date and a time: "Wednesday 3 June 2026 at 09:15".
	recordAt = "%s at %s"
	// recordAuditHead says where the practice's tamper-evident log stood
	// when the record was made, so it can later be shown to still hold it.
	recordAuditHead = "The practice's tamper-evident log stood at %s when this record was made: if the practice is asked, it can show that its log still holds everything this record was made from."
	// recordFooter ends every page of the PDF: the date and time it was
	// made; " — " and recordPageOf follow.
	recordFooter = "Generated by Assent on %s at %s"
	// recordPageOf is the page number and the count of pages.
	recordPageOf = "page %d of %s"
	// recordDefaultOwner is named in the consent receipts as responsible
	// for the recordings when the practice has no name.
	recordDefaultOwner = "The therapist"
	// recordScreenNoSessions is the record on screen of a client with no
	// session.
	recordScreenNoSessions = "No sessions yet."
)

// recordScreenTitle heads the record on screen: "Record of A.B.".
func recordScreenTitle(client string) string { return "Record of " + client }

// recordDeleteReasons says in plain words why storage deleted a recording;
// any other reason (package session's, such as "the client chose to
// delete the last 5 minutes") is shown as it was given.
var recordDeleteReasons = map[string]string{
	storage.ReasonDeletionDate:     "its deletion date",
	storage.ReasonWithdrawn:        "when the recording was stopped, with the choice to delete all of it",
	storage.ReasonNothingRecovered: "nothing could be recovered after a crash",
	storage.ReasonNoFile:           "the recording could not be started",
}

// What went wrong in a step of the session (session.go's problemText),
// read by the people in the room on the client screen and by the
// therapist on theirs. The detail goes to the log.

// problemSentences are the sentences for session.Problem's kinds; the
// microphone or the disk failing while recording is recordingStoppedText,
// and any kind not listed is stepNotSavedText.
var problemSentences = map[session.Kind]string{
	session.KindNotStarted:           "The session could not be started. Nothing was saved.",
	session.KindAnswerNotStored:      "Assent could not save the answer, so it is not recording. The session goes on as notes only.",
	session.KindWithdrawalNotStored:  "The recording has stopped, but Assent could not save this step to its records, so nothing has been deleted yet. Please tell your therapist.",
	session.KindJoinNotStored:        "The recording has stopped, but the new person could not be added to the records. Please tell your therapist.",
	session.KindEndNotStored:         "The microphone is off, but the end of the session could not be saved. It will be saved the next time Assent is unlocked.",
	session.KindDeletionNotShortened: "Assent could not bring the deletion date forward. Please tell your therapist.",
	session.KindDeleteLastFailed:     "Assent could not delete the last minutes. Please tell your therapist; nothing else was changed.",
	session.KindNoMicrophone:         noMicText,
	session.KindMicrophoneNotStarted: "The microphone could not be started, so Assent is not recording. The session goes on as notes only.",
	session.KindRecordingNotCreated:  "Assent could not begin a recording on the disk, so it is not recording. The session goes on as notes only.",
	session.KindFileLost:             "The recording's file was removed from the disk while recording (was the data folder moved or cleaned?), so what was recorded could not be kept. Notes are not affected.",
	session.KindWithdrawalOwed:       "Recording stopped. Deleting it has not finished yet; Assent keeps trying, and it cannot be played until it is done.",
	session.KindClockBehind:          "This computer's clock reads more than a day earlier than Assent has already seen, so it cannot give a recording a deletion date that is sure to be right: it is not recording. The session goes on as notes only; please set the clock.",
	session.KindStepOwed:             "The microphone is as this screen shows. Assent could not write this step to its records yet; it keeps trying, and writes it as soon as it can.",
}

// stepNotSavedText is the problem of a step that could not be stored,
// of any kind problemSentences does not name.
const stepNotSavedText = "Assent could not save this step to its records. Please tell your therapist."

// recordingStoppedText says why the recording stopped by itself (kind is
// session.KindMicrophoneFailed, KindMicrophoneSilent or KindDiskFailed),
// how much was recorded before and until when it is kept.
func recordingStoppedText(kind session.Kind, kept, date string) string {
	what := "The microphone stopped working, so the recording stopped."
	switch kind {
	case session.KindDiskFailed:
		what = "Assent could not write to the disk, so the recording stopped."
	case session.KindMicrophoneSilent:
		what = "The microphone stopped sending sound, so the recording stopped."
	}
	return fmt.Sprintf("%s The %s recorded before that is kept until %s. The session goes on as notes only.", what, kept, date)
}

// Durations and counts in words, as every screen writes them.

// humanDuration writes d as "3 minutes 5 seconds", or "1 hour 59 minutes"
// from an hour on.
func humanDuration(d time.Duration) string {
	if h := int(d / time.Hour); h > 0 {
		if m := int(d % time.Hour / time.Minute); m > 0 {
			return plural(h, "hour") + " " + plural(m, "minute")
		}
		return plural(h, "hour")
	}
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case m == 0:
		return plural(s, "second")
	case s == 0:
		return plural(m, "minute")
	}
	return plural(m, "minute") + " " + plural(s, "second")
}

// plural writes n of unit: "1 day", "12 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

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
