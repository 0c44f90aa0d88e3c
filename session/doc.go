// Package session decides what happens to a therapy session under way:
// what a tap on "Yes", "Stop", "Delete all of it now" or "Someone joined"
// does to the microphone, to storage and to the recording. It is the one
// place that does it; the app's screens, the crash trials in proof/ and
// the end-to-end test all run this package, never a copy of it.
//
// It imports consent (which decides), storage (which keeps) and audio
// (which captures), and nothing of the user interface: it reports back
// through callbacks and typed problems, and the app turns those into
// sentences.
//
// # Using it
//
//	opt := session.Options{DB: db, Mic: host.Default, NewEncoder: lame.NewFunc...}
//	s, err := session.Start(opt, client, people, consent.CollectionOnScreen)
//	s.Watch(screen.refresh, screen.showProblem)
//	err = s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()})
//	err = s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(id), Participant: id})
//	// everyone said yes: the microphone is on, under the Grant consent made
//	err = s.Apply(consent.Event{Kind: consent.EventWithdraw, Actor: ..., Withdrawal: consent.WithdrawDeleteAll})
//	// the microphone is off and the recordings are erased, or err says what is true instead
//	err = s.End(consent.Therapist())
//
// # Order of work
//
// Every step is decided by consent first; capture stops before anything is
// stored; the step is stored; only then is anything started; only then is
// the caller told. So a recording never exists without its consent on
// disk, a stop never waits for storage, and a screen that shows what Apply
// returned never says what storage has not confirmed. When storing fails,
// the step's error is a *Problem whose Kind says what is true now (for
// example KindAnswerNotStored: not recording, notes only).
//
// # Owed steps
//
// A step that cannot be stored (the database busy past its timeout
// because `assent purge` or a backup holds it, a write error) is owed: it
// is written to storage's owed journal, which needs no database
// (storage.OweConsentEvent), and stored, in order, as soon as it can be.
// So is a "delete the last minutes" that cannot be done yet, with the cut
// fixed when the client chose it (storage.OweCut): recordings made later
// are never touched by it. Until it is finished nothing an owed
// withdrawal names can be played or exported (storage refuses it with
// storage.ErrOwed, in any process), every later step of the session is
// queued behind it (an end too; EndLeftOpen stores none ahead of it), and
// no recording begins in the session. The session tries again at every
// later step, every Options.RetryEvery and when Retry is called, and
// reports through the change callback when Owed turns false; storage
// finishes what is left at the next Open (and Unlock, for what needs the
// key). The step's Problem says so: KindWithdrawalOwed for a withdrawal
// that deletes, KindStepOwed for any other step, KindEndNotStored for the
// end; KindWithdrawalNotStored only when not even the journal could be
// written.
//
// # Problems off a step
//
// A recording can also stop by itself: the microphone is unplugged, the
// disk fills, the recording's file is removed. The recorder's goroutine
// seals what was captured; then, through Options.Do, the session turns to
// notes only and the problem callback is told how much was kept and until
// when.
//
// # The client's last word
//
// Under a practice policy with the question at the end (the default;
// settings SettingEndQuestion, SettingUnanswered), End leaves a recorded
// session in consent.Confirming: each recorded person answers keep or
// delete (EventKeep, EventDiscard) through Apply, and until all keep, the
// recordings are unconfirmed in storage and MayPlay, MayExport and
// MayCopyForClient refuse them. A second End (the app closing, the
// therapist's "they left") closes the question by the practice's rule,
// and so does EndLeftOpen for a question a crash left open. A client's
// "please don't ask me again" is kept in their record; Start then begins
// their sessions as notes only (consent.ReasonNotAsked), as it does with a
// minor present under SettingNeverRecordMinors; a minor client marked to
// decide alone is asked without a guardian. A pause made on the client
// screen closes the microphone as a stop does and is lifted only by the
// client (PausedBy).
//
// # Sessions in storage
//
// Replay rebuilds a stored session's consent from its history, under the
// policy stored with it (PolicyOf), with each minor linked to the guardian
// stored on their row. LeftOpen and EndLeftOpen end the sessions a crash
// left open, as of their last trace; RestorePeaks gives the recordings
// crash recovery kept their waveform. PracticePolicy and Bitrate read what
// new sessions are asked under and recorded with.
package session
