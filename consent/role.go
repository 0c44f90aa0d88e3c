package consent

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Role is what a participant is to the therapy: the client, a partner, a
// family member, a guardian, a minor (whose guardian must be present unless
// the minor decides alone), an interpreter, a trainee or an observer. Every
// one of them decides for themself, like everyone present.
// The zero Role is invalid, so a participant's role is always chosen.
type Role int

// Roles of the people present.
const (
	RoleClient Role = iota + 1
	RolePartner
	RoleFamily
	RoleGuardian
	RoleMinor
	// RoleInterpreter interprets for the client, under the same
	// confidentiality; the statement and the receipt name them as such.
	RoleInterpreter
	// RoleTrainee is a therapist in training listening live.
	RoleTrainee
	// RoleObserver is anyone else observing the session live.
	RoleObserver
)

// Roles returns every role, in declaration order.
func Roles() []Role {
	rs := make([]Role, 0, RoleObserver)
	for r := RoleClient; r <= RoleObserver; r++ {
		rs = append(rs, r)
	}
	return rs
}

// roleIDs are the stable names used in JSON; they never change and are
// not translated (the words people read are in the language files: RoleIn).
var roleIDs = [...]string{
	RoleClient:      "client",
	RolePartner:     "partner",
	RoleFamily:      "family",
	RoleGuardian:    "guardian",
	RoleMinor:       "minor",
	RoleInterpreter: "interpreter",
	RoleTrainee:     "trainee",
	RoleObserver:    "observer",
}

func (r Role) valid() bool { return r >= RoleClient && r <= RoleObserver }

// String returns the role in the English words a client reads ("family
// member"); RoleIn gives it in a client's language.
func (r Role) String() string {
	return wordsOf(DefaultLanguage).role(r)
}

// RoleIn returns the role in the language of tag ("miembro de la
// familia"), English for an unknown tag.
func RoleIn(tag string, r Role) string {
	return wordsOf(tag).role(r)
}

// MarshalText encodes the role as its stable name ("client", "partner",
// "family", "guardian", "minor", "interpreter", "trainee", "observer"); an
// invalid role is an error.
func (r Role) MarshalText() ([]byte, error) {
	if !r.valid() {
		return nil, fmt.Errorf("%w: role %d", ErrInvalidParticipant, int(r))
	}
	return []byte(roleIDs[r]), nil
}

// UnmarshalText accepts the names MarshalText writes.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseRole returns the role whose stable name is s (as MarshalText
// writes it), or an error wrapping
// ErrInvalidParticipant.
func ParseRole(s string) (Role, error) {
	for r := RoleClient; r <= RoleObserver; r++ {
		if roleIDs[r] == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown role %q", ErrInvalidParticipant, s)
}

// Participant is one person present in the session who decides for
// themself whether it is recorded.
type Participant struct {
	// ID identifies the participant within the session (and in events).
	ID string `json:"id"`
	// Name is how the consent screen addresses them.
	Name string `json:"name"`
	// Role is what they are to the therapy.
	Role Role `json:"role"`
	// GuardianID, for RoleMinor only, is the ID of their guardian: a
	// participant of the same session with RoleGuardian. It is empty for a
	// minor who decides alone.
	GuardianID string `json:"guardianId,omitempty"`
	// DecidesAlone, for RoleMinor only, marks a minor the practice judged
	// able to decide alone (Gillick competent): their guardian is not asked
	// on their behalf, and their answer is theirs alone.
	DecidesAlone bool `json:"decidesAlone,omitempty"`
}

// check validates p on its own: what can be said without the rest of the
// session. A minor without a GuardianID wraps ErrGuardianRequired.
func (p Participant) check() error {
	switch {
	case strings.TrimSpace(p.ID) == "" || !utf8.ValidString(p.ID):
		return fmt.Errorf("%w: empty or non-UTF-8 ID %q", ErrInvalidParticipant, p.ID)
	case strings.TrimSpace(p.Name) == "" || !utf8.ValidString(p.Name):
		return fmt.Errorf("%w: %q has an empty or non-UTF-8 name", ErrInvalidParticipant, p.ID)
	case !p.Role.valid():
		return fmt.Errorf("%w: %q has no valid role", ErrInvalidParticipant, p.ID)
	case !utf8.ValidString(p.GuardianID):
		return fmt.Errorf("%w: %q has a non-UTF-8 guardian ID", ErrInvalidParticipant, p.ID)
	case p.DecidesAlone && p.Role != RoleMinor:
		return fmt.Errorf("%w: %q is not a minor but decides alone", ErrInvalidParticipant, p.ID)
	case p.DecidesAlone && p.GuardianID != "":
		return fmt.Errorf("%w: minor %q decides alone but names a guardian to ask", ErrInvalidParticipant, p.ID)
	case p.Role == RoleMinor && p.GuardianID == "" && !p.DecidesAlone:
		return fmt.Errorf("%w: minor %q names no guardian", ErrGuardianRequired, p.ID)
	case p.Role != RoleMinor && p.GuardianID != "":
		return fmt.Errorf("%w: %q is not a minor but names a guardian", ErrInvalidParticipant, p.ID)
	case p.GuardianID == p.ID && p.ID != "":
		return fmt.Errorf("%w: minor %q names themself as guardian", ErrGuardianRequired, p.ID)
	}
	return nil
}

// checkParticipants validates a whole set of people present: each one,
// unique IDs, and every minor's guardian among them.
func checkParticipants(ps []Participant) error {
	if len(ps) == 0 {
		return fmt.Errorf("%w: no participant", ErrInvalidSession)
	}
	byID := make(map[string]Participant, len(ps))
	for _, p := range ps {
		if err := p.check(); err != nil {
			return err
		}
		if _, dup := byID[p.ID]; dup {
			return fmt.Errorf("%w: ID %q used twice", ErrInvalidParticipant, p.ID)
		}
		byID[p.ID] = p
	}
	for _, p := range ps {
		if p.Role != RoleMinor || p.DecidesAlone {
			continue
		}
		g, ok := byID[p.GuardianID]
		if !ok || g.Role != RoleGuardian {
			return fmt.Errorf("%w: minor %q: guardian %q is not a guardian present in the session", ErrGuardianRequired, p.ID, p.GuardianID)
		}
	}
	return nil
}
