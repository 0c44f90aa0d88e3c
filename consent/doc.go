// Package consent decides, for one therapy session, whether it may be
// recorded: only when every person present has said yes on screen, for this
// session, to purposes and a deletion date they were shown. It is a pure
// state machine in the style of etcd's raft: it does no I/O, never reads the
// clock, and imports only the standard library. Events bring their time;
// what the caller must do comes back as Effects; refusals are sentinel
// errors checked with errors.Is.
//
// # Sessions and events
//
// NewSession takes the people present ([Participant], each with a [Role]),
// the therapist's [Policy] and the time zone whose calendar the deletion
// date follows. Everything that happens afterwards is an [Event] with a
// kind, a time and an [Actor] (the therapist, a named participant, or the
// app itself), given to [Session.Apply]. Accepted events are appended to an
// append-only log ([Session.Events]); a refused event changes nothing and
// leaves no trace. Events encode to JSON ([MarshalEvent], [UnmarshalEvent])
// so storage keeps the log exactly as emitted, and [Replay] rebuilds a
// session from it.
//
// # States
//
//	AwaitingConsent ──all yes──▶ Recording ◀──resume── Paused
//	      │  ▲  ▲                  │  └──────pause──────▶│  │
//	   no │  │  └──────────────────┼────re-ask───────────┼──┘
//	      │  │ re-ask              │ withdraw, notes     │ withdraw, notes
//	      ▼  │                     ▼                     ▼
//	     NotesOnly ◀───────────────┴─────────────────────┘
//
//	join (from Recording, Paused or AwaitingConsent) ──▶ AwaitingConsent
//	end (from any state) ──▶ Ended, which accepts nothing, or, when
//	something unconfirmed was recorded, ──▶ Confirming ──all keep, one
//	delete, or end (unanswered)──▶ Ended
//
// A session starts in AwaitingConsent. The therapist shows the statement
// (EventAsk); each participant answers (EventConfirm or EventDecline). When
// the last one present says yes the session is Recording. One "no" is no:
// any decline moves to NotesOnly, and only the therapist's EventReAsk opens
// a fresh round in which everyone answers again. A pause (anyone, including
// the app) stops capture, and a resume restarts it without a new round; a
// pause made by a participant is lifted only by that participant. The
// therapist may also re-ask from a pause, so that capture comes back only
// through everyone's yes (after "someone joined" was cancelled, say). A
// withdrawal stops recording and carries the choice of what happens to
// what was recorded ([Withdrawal]): keep it until its date, delete the last
// N minutes, or delete all of it. It is open to the therapist and every
// participant, while Recording or Paused, and afterwards (while awaiting
// answers or in notes only) as long as something was recorded. The
// therapist, or the app when recording has become impossible, may switch to
// notes only at any time. Someone joining the room (EventJoin) stops
// capture and opens a fresh round once the question is asked again with
// them present; in notes only, a join just adds them. EventEnd ends it all.
//
// # The client's last word
//
// Under a policy with EndQuestion, whatever is recorded is unconfirmed
// ([Session.Unconfirmed]) until, at the end (state Confirming), every
// recorded person has said keep (EventKeep); one "delete it now"
// (EventDiscard) deletes all of it, whoever said keep. If the question is
// closed unanswered (EventEnd again: they left), the policy's
// KeepUnconfirmed decides, as the statement said beforehand; the receipt
// says which happened ([Receipt].Confirmation). A client may answer
// "please don't ask me again" (EventDecline with DontAskAgain): later
// sessions start as notes only (EventSwitchToNotes with ReasonNotAsked),
// the question cannot be put ([ErrNotToBeAsked]) and only the client lifts
// it (EventAskAgain). A minor marked DecidesAlone answers without a
// guardian; any minor's no wins. Interpreters, trainees and observers
// decide like everyone present and are named as such. A policy with
// NeverRecordMinors refuses the question while a minor is present
// ([ErrMinorPresent]). Pauses appear in the receipt with their times, taken
// from the events.
//
// Who may do what: only the therapist asks, re-asks and adds a participant;
// a participant answers only for themself, and the therapist may enter an
// answer given aloud (the log says so); the app never answers, resumes or
// withdraws; participants stop recording by pausing or withdrawing, not by
// switching to notes or ending the session.
//
// # Grants
//
// The microphone may be opened only with a [Grant]: a value only this
// package can make, when everyone present has said yes (for a minor, their
// own assent and their guardian's yes, since the guardian is always among
// the participants). It names the session, who confirmed, the purposes,
// the deletion date and a serial: each recording segment has its own Grant,
// numbered 1, 2, … within the session. [Grant.Valid] turns false, for every
// copy of the Grant at once, at a pause, a withdrawal, a switch to notes, a
// join and the end; a resume makes a new Grant with the next serial. Valid
// is safe to call from the audio goroutine on every frame, so a revoked
// Grant stops capture even if nobody calls Stop. The zero Grant is invalid.
//
// One permission rests on nobody's yes but the therapist's: a [MicCheck],
// the level test before a session with no client present. It is not a
// Grant but a [CheckGrant], a type of its own that names no session and
// that nothing which records accepts: it opens a microphone only for a
// level meter, which gives out levels and never sound, so what a check
// hears is never kept.
//
// # Deletion date
//
// Every recording has a date by which it is gone: the start of a local day
// in the session's time zone, computed with calendar arithmetic
// ([DeletionDate]) so that it is right across daylight-saving changes, and
// kept as an absolute instant. It counts from the day the question was
// asked: the policy's DefaultKeepDays, or a participant's shorter choice
// (KeepDays, or EndOfToday for the start of tomorrow). The shortest choice
// of anyone present wins. Once something has been granted the session's
// date can only move earlier: a later round, a shorter choice made in it,
// or a clock that went backwards may bring it forward, nothing can push it
// back. [Effects].DeleteOn tells storage when the date applies to
// recordings already made. [Session.DeleteOn] is the date that applies now,
// or would if everyone said yes now; it is what the statement shows.
//
// # Time
//
// Times come only from events, and they may go backwards (a clock
// corrected, a laptop's battery swapped). They are recorded as given; a date
// counts from the earlier of the question and the answer, so an answer
// after midnight never lands later than the date that was on screen.
//
// # Statement and receipts
//
// [Statement] renders the plain-language text shown before anyone answers:
// who decides, why and who may listen, where it is kept (encrypted on this
// computer, never uploaded), the deletion date in full ("Sunday 27
// December 2026"), how to stop and what then happens to the recording, and
// that saying no changes nothing about their care. [Session.Receipt] gives
// the session's consent history as a [Receipt] value, as a [Page] for the
// client, and as JSON following the Kantara Consent Receipt v1.1
// ([Receipt.KantaraJSON], read back by [ParseKantaraJSON]).
//
// # Languages
//
// Every word a person reads is in a language file, lang/<tag>.json
// (English, Spanish, French, German), embedded in the binary; each says
// who checked its wording and when ([Languages]). A session is asked in
// its client's language ([Session.SetLanguage]); its statement and receipt
// are written in it, dates with the language's own words ([LongDateIn]).
// Each answer carries the language and [Page.Version] (a SHA-256) of the
// statement it was given to, and the receipt names them, so "what did I
// agree to?" has one answer however the wording changes later.
//
// # Errors
//
// Every refusal wraps one of the Err variables of this package, such as
// [ErrNotEveryoneConfirmed], [ErrDeclined], [ErrNotAuthorized] or
// [ErrSessionEnded]. Nothing in the package panics, whatever its input.
package consent
