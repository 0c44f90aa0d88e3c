package consent

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on how long a recording is kept, in calendar days.
const (
	// DefaultKeepDays is the keep-days of DefaultPolicy.
	DefaultKeepDays = 28
	// MinKeepDays and MaxKeepDays bound a policy's DefaultKeepDays and a
	// participant's shorter choice.
	MinKeepDays = 1
	MaxKeepDays = 90
)

// Purpose IDs. A policy offers each standard purpose at most once, and any
// number of custom purposes written by the therapist.
const (
	PurposeReflection  = "reflection"
	PurposeSupervision = "supervision"
	PurposeTraining    = "training"
	PurposeCustom      = "custom"
)

// Purpose is one reason for recording, in the words the client reads.
type Purpose struct {
	// ID is PurposeReflection, PurposeSupervision, PurposeTraining or
	// PurposeCustom.
	ID string `json:"id"`
	// Text says why, in plain language, as the end of "Why: …"
	// ("so your therapist can listen again and reflect on the session").
	Text string `json:"text"`
	// Listeners says who may listen, as the end of "Who may listen: …"
	// ("only your therapist").
	Listeners string `json:"listeners"`
}

// Policy is what the therapist offers for a session. A client agrees to all
// of its purposes or to none: consent is asked for the recording as
// described, and the therapist removes a purpose from the policy rather
// than letting it be ticked away.
type Policy struct {
	// Purposes offered, in the order they are shown.
	Purposes []Purpose `json:"purposes"`
	// DefaultKeepDays is how many calendar days a recording is kept unless
	// someone chooses fewer: MinKeepDays..MaxKeepDays.
	DefaultKeepDays int `json:"defaultKeepDays"`
	// SupervisionExport says whether an encrypted copy may be given to the
	// therapist's supervisor. It requires a PurposeSupervision purpose.
	SupervisionExport bool `json:"supervisionExport,omitempty"`
	// EndQuestion: when a recorded session ends, each recorded person is
	// asked whether to keep it (state Confirming); until all have said
	// keep, the recording is unconfirmed and is neither played nor
	// exported. The statement promises it only when it is on. A policy
	// stored before this existed decodes without it: those sessions were
	// never promised the question.
	EndQuestion bool `json:"endQuestion,omitempty"`
	// KeepUnconfirmed, with EndQuestion, is what happens when the question
	// at the end is closed unanswered (they left): false deletes the
	// unconfirmed recording (the default), true keeps it until its date.
	// The statement says which, beforehand.
	KeepUnconfirmed bool `json:"keepUnconfirmed,omitempty"`
	// NeverRecordMinors: a session with a minor present is never recorded;
	// the question is not put, and the receipt says why.
	NeverRecordMinors bool `json:"neverRecordMinors,omitempty"`
}

// StandardPurposes returns the three standard purposes with Assent's
// default English wording (lang/en.json); the statement says them in the client's language while they keep these words, for a settings screen to start from.
func StandardPurposes() []Purpose {
	w := wordsOf(DefaultLanguage)
	return []Purpose{
		{ID: PurposeReflection, Text: w.PurposeReflection, Listeners: w.ListenersReflection},
		{ID: PurposeSupervision, Text: w.PurposeSupervision, Listeners: w.ListenersSupervision},
		{ID: PurposeTraining, Text: w.PurposeTraining, Listeners: w.ListenersTraining},
	}
}

// DefaultPolicy offers reflection only (heard by the therapist alone), kept
// DefaultKeepDays days, with no export, and asks at the end whether to keep
// it (deleting it if nobody answers).
func DefaultPolicy() Policy {
	return Policy{
		Purposes:        StandardPurposes()[:1],
		DefaultKeepDays: DefaultKeepDays,
		EndQuestion:     true,
	}
}

// Validate reports why p cannot be offered to a client, wrapping
// ErrKeepDaysOutOfRange or ErrInvalidPolicy, or nil if it can.
func (p Policy) Validate() error {
	if p.DefaultKeepDays < MinKeepDays || p.DefaultKeepDays > MaxKeepDays {
		return fmt.Errorf("%w: policy keeps %d days, allowed %d..%d", ErrKeepDaysOutOfRange, p.DefaultKeepDays, MinKeepDays, MaxKeepDays)
	}
	if len(p.Purposes) == 0 {
		return fmt.Errorf("%w: no purpose offered", ErrInvalidPolicy)
	}
	seen := map[string]bool{}
	for i, u := range p.Purposes {
		switch u.ID {
		case PurposeReflection, PurposeSupervision, PurposeTraining:
			if seen[u.ID] {
				return fmt.Errorf("%w: purpose %q offered twice", ErrInvalidPolicy, u.ID)
			}
			seen[u.ID] = true
		case PurposeCustom:
		default:
			return fmt.Errorf("%w: purpose %d has unknown ID %q", ErrInvalidPolicy, i, u.ID)
		}
		if !utf8.ValidString(u.Text) || !utf8.ValidString(u.Listeners) {
			return fmt.Errorf("%w: purpose %d is not UTF-8 text", ErrInvalidPolicy, i)
		}
		if strings.TrimSpace(u.Text) == "" || strings.TrimSpace(u.Listeners) == "" {
			return fmt.Errorf("%w: purpose %d (%s) does not say why or who may listen", ErrInvalidPolicy, i, u.ID)
		}
	}
	if p.KeepUnconfirmed && !p.EndQuestion {
		return fmt.Errorf("%w: a rule for unanswered end questions without the end question", ErrInvalidPolicy)
	}
	if p.SupervisionExport && !seen[PurposeSupervision] {
		return fmt.Errorf("%w: supervision export offered without a supervision purpose", ErrInvalidPolicy)
	}
	return nil
}

// clone returns p with its own Purposes slice.
func (p Policy) clone() Policy {
	p.Purposes = slices.Clone(p.Purposes)
	return p
}

// exportAllowed reports whether a consent under p allows giving a copy to
// a supervisor.
func (p Policy) exportAllowed() bool {
	return p.SupervisionExport && slices.ContainsFunc(p.Purposes, func(u Purpose) bool { return u.ID == PurposeSupervision })
}
