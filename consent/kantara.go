package consent

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// KantaraVersion is the Kantara Initiative Consent Receipt specification
// version that KantaraJSON follows.
const KantaraVersion = "KI-CR-v1.1.0"

// Fixed values of a receipt for an audio recording of therapy.
const (
	kantaraConsentType  = "EXPLICIT"
	kantaraPIICategory  = "audio recording"
	kantaraSPICategory  = "health"
	kantaraTimestampMin = 1 // consentTimestamp is seconds since 1970, after 1970
)

// KantaraReceipt is a consent receipt with the fields of Kantara Consent
// Receipt v1.1, plus one extension object ("assent") that says what the
// specification has no field for: whether the session was in fact
// recorded, declined or withdrawn. Field names are the specification's.
type KantaraReceipt struct {
	Version          string              `json:"version"`
	Jurisdiction     string              `json:"jurisdiction"`
	ConsentTimestamp int64               `json:"consentTimestamp"`
	CollectionMethod string              `json:"collectionMethod"`
	ConsentReceiptID string              `json:"consentReceiptID"`
	PublicKey        string              `json:"publicKey,omitempty"`
	Language         string              `json:"language,omitempty"`
	PIIPrincipalID   string              `json:"piiPrincipalId"`
	PIIControllers   []KantaraController `json:"piiControllers"`
	PolicyURL        string              `json:"policyUrl"`
	Services         []KantaraService    `json:"services"`
	Sensitive        bool                `json:"sensitive"`
	SPICat           []string            `json:"spiCat"`
	Assent           *KantaraAssent      `json:"assent,omitempty"`
}

// KantaraController is one PII controller: the therapist or practice.
type KantaraController struct {
	PIIController    string `json:"piiController"`
	OnBehalf         bool   `json:"onBehalf"`
	Contact          string `json:"contact"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PIIControllerURL string `json:"piiControllerUrl,omitempty"`
}

// KantaraService is the service consented to, with its purposes.
type KantaraService struct {
	Service  string           `json:"service"`
	Purposes []KantaraPurpose `json:"purposes"`
}

// KantaraPurpose is one purpose of a service. Termination is when the
// recording ends to exist (RFC 3339, in the session's time zone): its
// deletion date, or the time of a withdrawal that deleted all of it; or
// "not recorded".
type KantaraPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

// KantaraAssent is the receipt's extension: the session and its outcome.
type KantaraAssent struct {
	SessionID  string `json:"sessionId"`
	Outcome    string `json:"outcome"`
	Withdrawal string `json:"withdrawal,omitempty"`
	Segments   int    `json:"segments"`
	DeleteOn   string `json:"deleteOn,omitempty"`
	// AuditHead is Receipt.AuditHead: the practice's audit log head when
	// the receipt was made.
	AuditHead string `json:"auditHead,omitempty"`
	// StatementLanguage and StatementVersion are Receipt's: the language
	// and SHA-256 version of the exact statement answered.
	StatementLanguage string `json:"statementLanguage,omitempty"`
	StatementVersion  string `json:"statementVersion,omitempty"`
	// Confirmation is Receipt.Confirmation's name ("kept", "deleted",
	// "unanswered-kept", ...) where the question at the end was asked: a
	// recording deleted at the end is not "recorded" and kept.
	Confirmation string `json:"confirmation,omitempty"`
}

// Kantara returns r as a Kantara receipt, or an error wrapping
// ErrBadReceipt if r cannot be one (no event yet, no controller, an unknown
// method, text that is not UTF-8, a consent time before 1970).
//
// Every purpose agreed is listed with termination = the deletion date (or
// the withdrawal that deleted everything) and
// thirdPartyDisclosure = false, except that supervision, where the client
// agreed to export, is disclosed to the supervisor; sensitive is true with
// spiCat ["health"]. consentTimestamp is ConsentedAt in Unix seconds.
func (r Receipt) Kantara() (KantaraReceipt, error) {
	switch {
	case len(r.Events) == 0:
		return KantaraReceipt{}, fmt.Errorf("%w: the session has no event yet", ErrBadReceipt)
	case !r.Method.valid():
		return KantaraReceipt{}, fmt.Errorf("%w: unknown collection method %d", ErrBadReceipt, int(r.Method))
	case strings.TrimSpace(r.Controller) == "":
		return KantaraReceipt{}, fmt.Errorf("%w: no controller", ErrBadReceipt)
	case r.ConsentedAt.Unix() < kantaraTimestampMin:
		return KantaraReceipt{}, fmt.Errorf("%w: consent time %v before 1970", ErrBadReceipt, r.ConsentedAt)
	}
	for _, s := range []string{r.ID, r.SessionID, r.Client, r.Controller, r.Language, r.Jurisdiction, r.PolicyURL} {
		if !utf8.ValidString(s) {
			return KantaraReceipt{}, fmt.Errorf("%w: text is not UTF-8", ErrBadReceipt)
		}
	}
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	w := wordsOf(r.Language)
	termination, deleteOn := w.KantaraNotRecorded, ""
	if len(r.Segments) > 0 && !r.DeleteOn.IsZero() {
		deleteOn = r.DeleteOn.In(loc).Format(time.RFC3339)
		termination = deleteOn
		if r.allDeleted() {
			// Nothing is left to delete on the date, as the page says.
			deleteOn = ""
			if !r.WithdrawnAt.IsZero() {
				// Deleted at the withdrawal, long before the date.
				termination = r.WithdrawnAt.In(loc).Format(time.RFC3339)
			}
		}
	}
	svc := KantaraService{Service: w.KantaraService}
	for i, u := range r.Purposes {
		p := KantaraPurpose{
			Purpose:         clause(u.Text),
			PurposeCategory: []string{u.ID},
			ConsentType:     kantaraConsentType,
			PIICategory:     []string{kantaraPIICategory},
			PrimaryPurpose:  i == 0,
			Termination:     termination,
		}
		if u.ID == PurposeSupervision && r.ExportAllowed {
			p.ThirdPartyDisclosure = true
			p.ThirdPartyName = clause(u.Listeners)
		}
		svc.Purposes = append(svc.Purposes, p)
	}
	k := KantaraReceipt{
		Version:          KantaraVersion,
		Jurisdiction:     r.Jurisdiction,
		ConsentTimestamp: r.ConsentedAt.Unix(),
		CollectionMethod: w.method(r.Method),
		ConsentReceiptID: r.ID,
		Language:         r.Language,
		PIIPrincipalID:   r.Client,
		PIIControllers:   []KantaraController{{PIIController: r.Controller, Contact: r.Controller}},
		PolicyURL:        r.PolicyURL,
		Services:         []KantaraService{svc},
		Sensitive:        true,
		SPICat:           []string{kantaraSPICategory},
		Assent: &KantaraAssent{
			SessionID: r.SessionID,
			Outcome:   r.Outcome.String(),
			Segments:  len(r.Segments),
			DeleteOn:  deleteOn,
			AuditHead: r.AuditHead,

			StatementLanguage: r.StatementLanguage,
			StatementVersion:  r.StatementVersion,
		},
	}
	if r.Outcome == OutcomeWithdrawn {
		k.Assent.Withdrawal = r.Withdrawal.String()
	}
	if r.Confirmation != ConfirmNotAsked {
		k.Assent.Confirmation = r.Confirmation.String()
	}
	if err := k.Validate(); err != nil {
		return KantaraReceipt{}, err
	}
	return k, nil
}

// KantaraJSON writes r as an indented Kantara Consent Receipt v1.1 JSON
// document; errors are Kantara's.
func (r Receipt) KantaraJSON() ([]byte, error) {
	k, err := r.Kantara()
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadReceipt, err)
	}
	return append(b, '\n'), nil
}

// ParseKantaraJSON decodes and validates one receipt as KantaraJSON writes
// it. Unknown fields, trailing data, a missing required value or a wrong
// version give an error wrapping ErrBadReceipt. It never panics, whatever
// the bytes.
func ParseKantaraJSON(data []byte) (KantaraReceipt, error) {
	var k KantaraReceipt
	if err := DecodeStrict(data, &k); err != nil {
		return KantaraReceipt{}, fmt.Errorf("%w: %w", ErrBadReceipt, err)
	}
	if err := k.Validate(); err != nil {
		return KantaraReceipt{}, err
	}
	return k, nil
}

// Validate reports whether k has every value the specification requires
// and the extension is coherent, wrapping ErrBadReceipt if not.
func (k KantaraReceipt) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadReceipt, fmt.Sprintf(format, args...))
	}
	switch {
	case k.Version != KantaraVersion:
		return bad("version %q, want %q", k.Version, KantaraVersion)
	case k.ConsentTimestamp < kantaraTimestampMin:
		return bad("no consent timestamp")
	case strings.TrimSpace(k.CollectionMethod) == "":
		return bad("no collection method")
	case strings.TrimSpace(k.ConsentReceiptID) == "":
		return bad("no receipt ID")
	case strings.TrimSpace(k.PIIPrincipalID) == "":
		return bad("no PII principal")
	case len(k.PIIControllers) == 0:
		return bad("no PII controller")
	case len(k.Services) == 0:
		return bad("no service")
	case k.Sensitive && len(k.SPICat) == 0:
		return bad("sensitive without a category")
	}
	for i, c := range k.PIIControllers {
		if strings.TrimSpace(c.PIIController) == "" || strings.TrimSpace(c.Contact) == "" {
			return bad("controller %d without name or contact", i)
		}
	}
	for i, s := range k.Services {
		if strings.TrimSpace(s.Service) == "" || len(s.Purposes) == 0 {
			return bad("service %d without name or purpose", i)
		}
		for j, p := range s.Purposes {
			switch {
			case strings.TrimSpace(p.Purpose) == "":
				return bad("service %d purpose %d: no purpose", i, j)
			case len(p.PurposeCategory) == 0 || len(p.PIICategory) == 0:
				return bad("service %d purpose %d: no category", i, j)
			case strings.TrimSpace(p.ConsentType) == "":
				return bad("service %d purpose %d: no consent type", i, j)
			case strings.TrimSpace(p.Termination) == "":
				return bad("service %d purpose %d: no termination", i, j)
			case p.ThirdPartyDisclosure && strings.TrimSpace(p.ThirdPartyName) == "":
				return bad("service %d purpose %d: disclosure to nobody named", i, j)
			}
		}
	}
	if a := k.Assent; a != nil {
		known := false
		for o := OutcomeNotesOnly; o <= OutcomeWithdrawn; o++ {
			known = known || a.Outcome == o.String()
		}
		var w Withdrawal
		switch {
		case strings.TrimSpace(a.SessionID) == "":
			return bad("extension without a session")
		case !known:
			return bad("unknown outcome %q", a.Outcome)
		case a.Segments < 0:
			return bad("negative segment count")
		case a.StatementVersion != "" && !validVersion(a.StatementVersion):
			return bad("statement version %q", a.StatementVersion)
		case a.Withdrawal != "" && w.UnmarshalText([]byte(a.Withdrawal)) != nil:
			return bad("unknown withdrawal %q", a.Withdrawal)
		case a.Confirmation != "" && (a.Confirmation == ConfirmNotAsked.String() || !slices.Contains(confirmationNames[:], a.Confirmation)):
			return bad("unknown confirmation %q", a.Confirmation)
		}
		if a.DeleteOn != "" {
			if _, err := time.Parse(time.RFC3339, a.DeleteOn); err != nil {
				return bad("deleteOn: %v", err)
			}
		}
	}
	return nil
}
