package consent

// Every word a person reads comes from this file, so that a translation is
// one file: copy it, translate the strings (keeping the %-verbs, which may be
// reordered with %[1]s, %[2]s), and set Language. Stable names that are
// stored (event kinds, states, roles in JSON) live beside their types and are
// never translated.

// Language is the BCP 47 tag of the wording below; receipts carry it.
const Language = "en"

// Roles, as String shows them.
var roleWords = [...]string{
	RoleClient:      "client",
	RolePartner:     "partner",
	RoleFamily:      "family member",
	RoleGuardian:    "guardian",
	RoleMinor:       "minor",
	RoleInterpreter: "interpreter",
	RoleTrainee:     "trainee, listening live",
	RoleObserver:    "observer, listening live",
}

// Dates: LongDate writes textLongDate with the weekday, the day of the
// month, the month and the year.
var (
	weekdayWords = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthWords   = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

const (
	textLongDate = "%s %d %s %d" // Sunday 27 December 2026
	textClock    = "15:04"       // a time of day, as a Go layout
	textListSep  = ", "
	textListLast = " and "
)

// Standard purposes (StandardPurposes), written to follow "Why: " and
// "Who may listen: ".
const (
	textPurposeReflection    = "so your therapist can listen again and reflect on the session"
	textListenersReflection  = "only your therapist"
	textPurposeSupervision   = "so your therapist can talk about the session with their supervisor"
	textListenersSupervision = "your therapist and their supervisor"
	textPurposeTraining      = "to help train therapists"
	textListenersTraining    = "your therapist and therapists in training"
)

// The consent statement (Statement), paragraph by paragraph.
const (
	textStatementTitle    = "Recording today's session"
	textAskYou            = "Your therapist would like to record today's session."
	textAskOne            = "%s, your therapist would like to record today's session."
	textAskMany           = "Your therapist would like to record today's session. Each of you decides for yourself: %s. If one of you says no, nothing is recorded."
	textMinor             = "%[1]s says yes or no too. Recording needs a yes from %[1]s and from %[2]s."
	textWhy               = "Why: %s. Who may listen: %s."
	textWhere             = "The recording is encrypted and kept on this computer only. It is never uploaded."
	textWhereExport       = "The recording is encrypted and kept on this computer. It is never uploaded. Only for supervision, your therapist may give an encrypted copy to their supervisor."
	textDeleteOn          = "It is deleted on %s. You may choose an earlier day. Nobody can keep it longer."
	textDeleteAfter       = "It is deleted %d days after today, or sooner if you choose. Nobody can keep it longer."
	textDeleteTonight     = "It is deleted at the end of today. Nobody can keep it longer."
	textStop              = "You can stop the recording at any moment with one tap. Then you choose what happens to what was recorded: keep it until that day, delete the last few minutes, or delete all of it now."
	textNoIsFine          = "Saying no changes nothing about your care. The session goes on as usual, with notes only."
	textMinorAlone        = "%s decides alone. Nobody else can say yes for them."
	textInterpreter       = "%s is interpreting, under the same confidentiality. They decide too."
	textTrainee           = "%s, a trainee, is listening live. They decide too."
	textObserver          = "%s is observing the session live. They decide too."
	textPause             = "You can also pause it on this screen: the microphone turns off, and only a tap on this screen turns it on again."
	textEndQuestion       = "At the end of the session, everyone recorded is asked again whether to keep it. Until everyone says keep, nobody can listen to it."
	textUnansweredDeleted = "If the session ends before everyone has answered, the recording is deleted."
	textUnansweredKept    = "If the session ends before everyone has answered, the recording is kept until its deletion date."
)

// How consent was collected (CollectionMethod.String).
const (
	textCollectionOnScreen  = "on screen, in the room"
	textCollectionReadAloud = "read aloud by the therapist, answered aloud"
)

// The consent record (Receipt.Page).
const (
	textReceiptTitle      = "Consent record"
	textReceiptSession    = "Session of %s."
	textReceiptMethod     = "How consent was asked: %s."
	textReceiptAuditHead  = "The practice's tamper-evident log stood at %s when this receipt was made."
	textReceiptPeople     = "People present: %s."
	textReceiptPerson     = "%s (%s)" // name (role)
	textOutcomeRecorded   = "The session was recorded."
	textOutcomeNotesOnly  = "The session was not recorded. Notes only."
	textOutcomeDeclined   = "The session was not recorded, because someone said no."
	textOutcomeWithdrawn  = "Recording was stopped."
	textReceiptDeleteOn   = "Recordings of this session are deleted on %s at the latest."
	textReceiptHappened   = "What happened:"
	textReceiptLine       = "%s — %s" // time — what happened
	textReceiptLineOnDate = "%s, %s — %s"
	textTheTherapist      = "The therapist"
	textTheApp            = "The app"
	textEvAsk             = "%s showed the consent question."
	textEvConfirm         = "%s said yes."
	textEvEnteredAloud    = "Answered aloud, entered by the therapist."
	textEvKeepDays        = "Chose deletion after %d days."
	textEvKeepDay         = "Chose deletion after 1 day."
	textEvEndOfToday      = "Chose deletion at the end of the day."
	textEvDecline         = "%s said no."
	textEvPause           = "%s paused the recording."
	textEvResume          = "%s resumed the recording."
	textEvWithdraw        = "%s stopped the recording."
	textEvSwitchToNotes   = "%s switched to notes only."
	textEvJoin            = "%s (%s) joined the session."
	textEvReAsk           = "%s asked again."
	textEvEnd             = "%s ended the session."
	textEvStarted         = "Recording started."
	textKeptUntilDate     = "What was recorded is kept until the deletion date."
	textDeletedLast       = "The last %d minutes were deleted."
	textDeletedLastOne    = "The last minute was deleted."
	textDeletedAll        = "All of it was deleted."
	textEvKeep            = "%s said keep the recording."
	textEvDiscard         = "%s said delete the recording now."
	textEvAskAgain        = "%s asked to be asked again in future sessions."
	textEvClientCopy      = "Agreed that the client may have a copy."
	textEvDontAskAgain    = "Asked not to be asked again."
	textEvClosedEnd       = "%s closed the question at the end before everyone had answered."
	textEvNotAsked        = "The question was not shown: the client asked not to be asked again."
	textEvMinorPresent    = "The question was not shown: the practice does not record sessions with a minor present."
	textByTherapist       = "the therapist" // "Paused by the therapist …"
	textByApp             = "the app"
	textPaused            = "Paused by %s %s–%s, nothing captured."
	textPausedOpen        = "Paused by %s from %s, nothing captured."
	textConfirmKept       = "At the end, everyone recorded said keep it."
	textConfirmDeleted    = "At the end, %s said delete it now. All of it was deleted."
	textConfirmUnansKept  = "At the end, not everyone answered. As the practice said beforehand, it is kept until its deletion date."
	textConfirmUnansDel   = "At the end, not everyone answered. As the practice said beforehand, all of it was deleted."
	textConfirmPending    = "Waiting for everyone recorded to say whether to keep it. Until then nobody can listen to it."
	textOutcomeNotAsked   = "The session was not recorded. The client asked not to be asked again."
	textOutcomeMinor      = "The session was not recorded. The practice does not record sessions with a minor present."
)

// The machine-readable receipt (Receipt.KantaraJSON).
const (
	textKantaraService     = "Audio recording of a therapy session"
	textKantaraNotRecorded = "not recorded"
)
