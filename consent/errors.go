package consent

import "errors"

// Refusals. Every error that Apply, NewSession, Replay, Policy.Validate,
// UnmarshalEvent, Receipt.KantaraJSON and ParseKantaraJSON return wraps at
// least one of these, so callers branch with errors.Is and show their own
// sentence; the error text itself is for logs.
var (
	// ErrUnknownLanguage: a language was asked for that has no language
	// file (see Languages).
	ErrUnknownLanguage = errors.New("consent: unknown language")

	// ErrNotEveryoneConfirmed: recording was asked for while someone
	// present has not yet said yes in this round (for example Resume after a
	// new participant joined).
	ErrNotEveryoneConfirmed = errors.New("consent: not everyone present has confirmed")

	// ErrSessionEnded: the session has ended and accepts no further event.
	ErrSessionEnded = errors.New("consent: session has ended")

	// ErrDeclined: someone said no in this session; nothing can be recorded
	// until the therapist asks again (EventReAsk). It is returned together
	// with ErrInvalidTransition.
	ErrDeclined = errors.New("consent: a participant declined recording")

	// ErrUnknownParticipant: an event names a participant who is not part
	// of the session.
	ErrUnknownParticipant = errors.New("consent: unknown participant")

	// ErrInvalidTransition: the event is well formed but makes no sense in
	// the session's current state (pausing while nothing is recorded,
	// confirming while notes only, …).
	ErrInvalidTransition = errors.New("consent: event not allowed in this state")

	// ErrGuardianRequired: a minor was added without a guardian who is a
	// participant of the same session.
	ErrGuardianRequired = errors.New("consent: a minor needs their guardian present")

	// ErrKeepDaysOutOfRange: a number of days to keep a recording is outside
	// 1..MaxKeepDays, or a confirmation asked to keep it longer than the
	// session's default (a client may shorten the time, never extend it).
	ErrKeepDaysOutOfRange = errors.New("consent: keep-days out of range")

	// ErrNotAuthorized: the actor may not cause this event (only the
	// therapist asks, re-asks and adds participants; a participant answers
	// only for themself; a pause made by a participant is lifted only by
	// them; …).
	ErrNotAuthorized = errors.New("consent: actor not authorized for this event")

	// ErrBadEvent: the event is malformed whatever the session's state
	// (unknown kind, zero time, fields that do not belong to its kind, bytes
	// that are not an event).
	ErrBadEvent = errors.New("consent: malformed event")

	// ErrNotAsked: a participant confirmed before the consent question was
	// put to the room (EventAsk). Consent must be informed: the statement,
	// with its deletion date, is shown first. Declining needs no question.
	ErrNotAsked = errors.New("consent: confirmation before the question was asked")

	// ErrInvalidParticipant: a participant has no ID or name, an unknown
	// role, text that is not UTF-8, or an ID already used in the session.
	ErrInvalidParticipant = errors.New("consent: invalid participant")

	// ErrInvalidPolicy: a policy offers no purpose, an unknown or repeated
	// purpose, a purpose without wording, or supervision export without a
	// supervision purpose.
	ErrInvalidPolicy = errors.New("consent: invalid policy")

	// ErrInvalidSession: NewSession was given no ID, no client, no
	// participant or no location, or a method was called on a nil Session.
	ErrInvalidSession = errors.New("consent: invalid session")

	// ErrMinorPresent: the practice never records a session with a minor
	// present (Policy.NeverRecordMinors); the question is not put.
	ErrMinorPresent = errors.New("consent: the practice does not record sessions with a minor present")

	// ErrNotToBeAsked: the client asked not to be asked again; only they
	// can lift it (EventAskAgain), on the client screen.
	ErrNotToBeAsked = errors.New("consent: the client asked not to be asked again")

	// ErrNotRecorded: an answer at the end (keep or delete) from someone
	// who was not recorded, or who has answered already.
	ErrNotRecorded = errors.New("consent: not a recorded person still to answer")

	// ErrBadReceipt: a receipt cannot be produced (the session has no
	// event yet) or bytes are not a well-formed receipt.
	ErrBadReceipt = errors.New("consent: malformed receipt")
)
