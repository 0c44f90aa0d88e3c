package session

import (
	"fmt"
	"time"
)

// Kind names what went wrong in a session, for whoever tells the people in
// the room: the app turns each Kind into a sentence (the wording lives
// there, in one place, so that it can be translated).
type Kind int

// The problems a session reports. What was done before the problem stays
// done; what each Kind says about the microphone is always true when it is
// reported (capture is stopped first, then storage is asked, then the
// problem is told).
const (
	// KindNotStarted: the session could not be created in storage.
	// Nothing was saved and nothing was recorded.
	KindNotStarted Kind = iota + 1
	// KindAnswerNotStored: a yes that would start the recording could not
	// be stored. Nothing is recorded without its consent on disk, so the
	// session went on as notes only.
	KindAnswerNotStored
	// KindStepNotStored: a step that starts nothing (a question, a no, a
	// pause, a resume, notes only) could not be stored. The microphone is
	// in the state the step asked for.
	KindStepNotStored
	// KindWithdrawalNotStored: a stop or a withdrawal could not be
	// stored, and not even kept to be stored later (the owed journal
	// could not be written either). Capture had already stopped; a
	// deletion that was asked with it ("delete all of it now") has not
	// happened, and nothing will make it happen by itself: the therapist
	// must be told.
	KindWithdrawalNotStored
	// KindJoinNotStored: someone joining could not be stored. Capture had
	// already stopped.
	KindJoinNotStored
	// KindEndNotStored: the end of the session could not be stored yet.
	// Capture had already stopped; the end is owed (stored as soon as
	// the database can be written, at the latest when Assent next opens
	// the practice) or, if it could not even be kept for that, the session
	// is ended at the next unlock, as of its last step.
	KindEndNotStored
	// KindDeletionNotShortened: a shorter deletion date was chosen and
	// stored, but the recordings already made could not be given it yet.
	KindDeletionNotShortened
	// KindDeleteLastFailed: "delete the last minutes" could not be done;
	// what was recorded is unchanged.
	KindDeleteLastFailed
	// KindNoMicrophone: everyone said yes, but there is no microphone.
	// The session went on as notes only.
	KindNoMicrophone
	// KindMicrophoneNotStarted: the microphone could not be opened. The
	// session went on as notes only.
	KindMicrophoneNotStarted
	// KindRecordingNotCreated: everyone said yes, but storage could not
	// begin a recording (the recordings folder is gone, the disk is full).
	// The session went on as notes only.
	KindRecordingNotCreated
	// KindMicrophoneFailed: the microphone stopped working while
	// recording. What was sealed before (Kept) is kept until DeleteOn; the
	// session went on as notes only.
	KindMicrophoneFailed
	// KindMicrophoneSilent: the microphone stopped sending sound. As
	// KindMicrophoneFailed.
	KindMicrophoneSilent
	// KindDiskFailed: the recording could not be written (a full disk, a
	// write error). As KindMicrophoneFailed.
	KindDiskFailed
	// KindFileLost: the recording's file was removed from the disk while
	// recording, so nothing of it could be kept. Notes are not affected.
	KindFileLost
	// KindWithdrawalOwed: a withdrawal that deletes ("delete all of it
	// now", "delete the last minutes") could not be finished yet (the
	// database busy or failing, or, for the last minutes, the vault
	// locked), but it is kept on disk and owed: recording stopped; what it
	// deletes can no longer be played or exported; Assent keeps trying
	// (Session.Retry, its timer, the next step, the next start) and the
	// change callback runs when it is done (Session.Owed turns false):
	// only then has it been deleted.
	KindWithdrawalOwed
	// KindStepOwed: a step that deletes nothing (a question, a no, a
	// pause, a stop that keeps what was recorded, notes only, a join)
	// could not be stored yet, but it is kept on disk and owed: it will
	// be stored in order as soon as the database can be written. The
	// microphone is in the state the step asked for.
	KindStepOwed
	// KindClockBehind: everyone said yes, but the computer's clock reads
	// more than a day before the latest time Assent has seen, so no
	// recording can be given a deletion date that is sure to be right.
	// The session went on as notes only.
	KindClockBehind
	// KindChoiceNotStored: a client's answer was stored in the consent
	// history, but what it changes in their record could not be written
	// (the database busy or failing): a keep at the end (the recording
	// stays unconfirmed, so nobody can play it), or "don't ask me again"
	// and its lifting (the client's record still says otherwise).
	KindChoiceNotStored
)

// Problem is a session's report that something did not happen as asked.
// It is an error, so that a step's caller can check it with errors.As.
type Problem struct {
	Kind Kind
	// Kept is how much audio storage sealed before a recording stopped by
	// itself (KindMicrophoneFailed, KindMicrophoneSilent, KindDiskFailed).
	Kept time.Duration
	// DeleteOn is when what was kept is deleted (with Kept).
	DeleteOn time.Time
	// Err is the underlying error, for the log; never shown to a client.
	Err error
}

func (p *Problem) Error() string {
	if p.Err != nil {
		return fmt.Sprintf("session: %s: %v", p.Kind, p.Err)
	}
	return "session: " + p.Kind.String()
}

// Unwrap returns the underlying error.
func (p *Problem) Unwrap() error { return p.Err }

var kindNames = map[Kind]string{
	KindNotStarted:           "session not started",
	KindAnswerNotStored:      "answer not stored",
	KindStepNotStored:        "step not stored",
	KindWithdrawalNotStored:  "withdrawal not stored",
	KindJoinNotStored:        "join not stored",
	KindEndNotStored:         "end not stored",
	KindDeletionNotShortened: "deletion date not shortened",
	KindDeleteLastFailed:     "last minutes not deleted",
	KindNoMicrophone:         "no microphone",
	KindMicrophoneNotStarted: "microphone not started",
	KindRecordingNotCreated:  "recording not created",
	KindMicrophoneFailed:     "microphone failed",
	KindMicrophoneSilent:     "microphone silent",
	KindDiskFailed:           "disk failed",
	KindFileLost:             "recording file lost",
	KindWithdrawalOwed:       "withdrawal owed",
	KindStepOwed:             "step owed",
	KindClockBehind:          "clock behind",
	KindChoiceNotStored:      "client's choice not stored in their record",
}

// String names the kind for logs.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}
