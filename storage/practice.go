package storage

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/assent-recorder/assent/consent"
)

// Client is a person (or couple, or family) the therapist works with, known
// here only by the label the therapist chose.
type Client struct {
	ID string
	// Label is sealed at rest: it is empty while the vault is locked.
	Label      string
	CreatedAt  time.Time
	ArchivedAt time.Time // zero unless archived
	// Language is the tag of the language the client reads (see
	// consent.Languages); empty for consent.DefaultLanguage.
	Language string
	// NotAskedSince is when the client asked "please don't ask me again";
	// zero while they are asked. Only the client lifts it (SetNotAsked
	// through their own step in a session).
	NotAskedSince time.Time
	// MinorDecidesAlone: a minor client the practice judged able to
	// decide alone; their guardian is not asked on their behalf.
	MinorDecidesAlone bool
}

// Participant is someone present in a session who decides for themselves
// whether it is recorded.
type Participant struct {
	// ID is made by storage when empty; a caller that must link people
	// before they are stored (a minor to their guardian) makes it with
	// NewID.
	ID   string
	Name string // as shown on the consent screen; sealed at rest, empty while locked
	Role string // e.g. "client", "partner", "guardian", "minor"; free text for storage
	// GuardianID names the participant of the same session who is this
	// person's guardian (for a minor); empty for everyone else.
	GuardianID string
	// DecidesAlone: a minor who decided alone, without a guardian asked.
	DecidesAlone bool
	JoinedAt     time.Time

	sealed []byte // Name sealed for the row, between prepareParticipant and insertParticipant
}

// Session is one meeting with a client.
type Session struct {
	ID        string
	ClientID  string
	StartedAt time.Time
	EndedAt   time.Time // zero while the session is open
	// Policy is the consent policy the session was asked under, as the
	// consent package's JSON (opaque to storage); nil means the default
	// policy of the version that stored it. It never changes after the
	// session is created, so settings changed later never rewrite it.
	Policy []byte
	// Method is how consent was asked: MethodOnScreen or MethodReadAloud.
	Method       string
	Participants []Participant
	// ConfirmAtEnd: the session promised the question at the end; until
	// Confirmation keeps them, its recordings are unconfirmed.
	ConfirmAtEnd bool
	// Confirmation is how the question at the end went (the Confirmation
	// constants); empty while pending or not asked.
	Confirmation string
}

// How consent was asked in a session (Session.Method).
const (
	// MethodOnScreen: each person read the statement on the client screen
	// and tapped their answer.
	MethodOnScreen = "on-screen"
	// MethodReadAloud: the therapist read the statement aloud and entered
	// the answers given aloud.
	MethodReadAloud = "read-aloud"
)

// ConsentEvent is one entry of a session's consent history, in the shape
// storage keeps it. The consent package's own event travels in Data as the
// JSON it emits; storage does not interpret it, except for the fields below
// that it needs without the app.
type ConsentEvent struct {
	SessionID string
	// Seq numbers the session's events 1, 2, 3 ... Zero on append means
	// "the next one"; any other value must be exactly the next one.
	Seq         int
	Kind        string    // e.g. "confirmed", "withdrawn", "notes_only"
	At          time.Time // when it happened
	Actor       string    // "therapist", "participant", "system"
	Participant string    // the participant concerned, if any
	Data        []byte    // the consent package's JSON, opaque to storage; sealed at rest when appended unlocked
	// WithdrawDeleteAll marks a withdrawal after which the client chose to
	// delete everything recorded in the session. Appending such an event
	// erases, in the same transaction, every recording of the session begun
	// before it, and no crash recovery ever brings one back.
	WithdrawDeleteAll bool
	StoredAt          time.Time // set by storage
}

// CreateClient adds a client with the therapist's label (not empty),
// sealed with the master key: the vault must be unlocked (ErrLocked).
func (db *DB) CreateClient(label string) (Client, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return Client{}, fmt.Errorf("storage: create client: empty label: %w", ErrInvalid)
	}
	c := Client{ID: newID(), Label: label}
	sealed, err := db.sealName(label, adClientLabel+c.ID)
	if err != nil {
		return Client{}, fmt.Errorf("storage: create client: %w", err)
	}
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		c.CreatedAt = now
		_, err := tx.Exec("INSERT INTO clients (id, label, created_at) VALUES (?, ?, ?)", c.ID, sealed, nanos(now))
		return err
	})
	if err != nil {
		return Client{}, fmt.Errorf("storage: create client: %w", err)
	}
	return c, nil
}

// RenameClient changes a client's label; the vault must be unlocked.
func (db *DB) RenameClient(id, label string) error {
	label = strings.TrimSpace(label)
	if label == "" {
		return fmt.Errorf("storage: rename client: empty label: %w", ErrInvalid)
	}
	sealed, err := db.sealName(label, adClientLabel+id)
	if err != nil {
		return fmt.Errorf("storage: rename client: %w", err)
	}
	return db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec("UPDATE clients SET label = ? WHERE id = ?", sealed, id)
		if err != nil {
			return fmt.Errorf("storage: rename client: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("storage: client %s: %w", id, ErrNotFound)
		}
		return nil
	})
}

// SetClientLanguage sets the language client id reads: a tag of
// consent.Languages, or "" for the default. Another tag is ErrInvalid; an
// unknown client ErrNotFound.
func (db *DB) SetClientLanguage(id, tag string) error {
	if tag != "" && !consent.KnownLanguage(tag) {
		return fmt.Errorf("storage: client language %q: %w", tag, ErrInvalid)
	}
	return db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec("UPDATE clients SET language = ? WHERE id = ?", tag, id)
		if err != nil {
			return fmt.Errorf("storage: client language: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("storage: client %s: %w", id, ErrNotFound)
		}
		return nil
	})
}

// Client returns one client, or ErrNotFound. Its label is empty while the
// vault is locked.
func (db *DB) Client(id string) (Client, error) {
	c, err := db.scanClient(db.sql.QueryRow("SELECT id, label, created_at, archived_at, language, not_asked_since, minor_decides_alone FROM clients WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, fmt.Errorf("storage: client %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Client{}, fmt.Errorf("storage: client %s: %w", id, dbErr(err))
	}
	return c, nil
}

func (db *DB) scanClient(row interface{ Scan(...any) error }) (Client, error) {
	var c Client
	var label any
	var at int64
	var archived, notAsked sql.NullInt64
	if err := row.Scan(&c.ID, &label, &at, &archived, &c.Language, &notAsked, &c.MinorDecidesAlone); err != nil {
		return Client{}, err
	}
	var err error
	if c.Label, err = db.readName(label, adClientLabel+c.ID); err != nil {
		return Client{}, fmt.Errorf("label of client %s: %w", c.ID, err)
	}
	c.CreatedAt, c.ArchivedAt, c.NotAskedSince = fromNanos(at), fromNullNanos(archived), fromNullNanos(notAsked)
	return c, nil
}

// Clients returns every client, archived ones included, ordered by label
// (by ID while the vault is locked, when the labels are empty).
func (db *DB) Clients() ([]Client, error) {
	rows, err := db.sql.Query("SELECT id, label, created_at, archived_at, language, not_asked_since, minor_decides_alone FROM clients")
	if err != nil {
		return nil, fmt.Errorf("storage: clients: %w", dbErr(err))
	}
	defer rows.Close()
	var out []Client
	for rows.Next() {
		c, err := db.scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: clients: %w", dbErr(err))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: clients: %w", dbErr(err))
	}
	sortClients(out)
	return out, nil
}

// ArchiveClient hides a client from the practice list (archived true) or
// brings them back (false). Nothing of theirs is deleted.
func (db *DB) ArchiveClient(id string, archived bool) error {
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		var at any
		if archived {
			at = nanos(now)
		}
		res, err := tx.Exec("UPDATE clients SET archived_at = ? WHERE id = ?", at, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("client %s: %w", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: archive client: %w", err)
	}
	return nil
}

// ShortenDeletion moves the deletion date of every live recording of a
// session to deleteOn where that is earlier; it never moves one later. It
// returns how many recordings changed. Consent calls for it when a person's
// choice shortens the session's date after something was recorded.
//
// While the vault is unlocked, the shorter date is also sealed with each
// recording's key, in the same transaction, so that no later edit of the
// database can bring the longer one back. While locked (a client's choice
// at a locked screen) only the database's date changes: the date sealed
// stays the upper bound, the earlier one is in force, and the next unlock
// seals it.
func (db *DB) ShortenDeletion(sessionID string, deleteOn time.Time) (int, error) {
	var n int64
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec("UPDATE recordings SET delete_on = ? WHERE session_id = ? AND state <> ? AND delete_on > ?",
			nanos(deleteOn), sessionID, string(StateDeleted), nanos(deleteOn))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		sealed := "; sealed at the next unlock"
		if db.Unlocked() {
			rows, err := keysToSeal(tx, "r.session_id = ?", sessionID)
			if err != nil {
				return err
			}
			switch _, err := db.sealTermsTx(tx, now, rows, nil, false); {
			case err == nil:
				sealed = "; sealed with their keys"
			case !errors.Is(err, ErrLocked): // locked meanwhile: as if locked before
				return err
			}
		}
		if n > 0 {
			return appendAudit(tx, now, AuditDeletionShortened, sessionID, fmt.Sprintf("%d recording(s) now deleted by %s%s",
				n, deleteOn.UTC().Format(time.RFC3339Nano), sealed))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: shorten deletion of session %s: %w", sessionID, err)
	}
	return int(n), nil
}

// CreateSession starts a session with a client and the participants present
// (more can join with AddParticipant), asked on screen under the default
// policy: BeginSession with only these fields.
func (db *DB) CreateSession(clientID string, participants ...Participant) (Session, error) {
	return db.BeginSession(Session{ClientID: clientID, Participants: participants})
}

// BeginSession stores a new session: s.ClientID, s.Policy, s.Method (empty
// means MethodOnScreen) and s.Participants, in one transaction; ID and
// times are set by storage and the stored session is returned. Participant
// IDs are made by storage unless given (NewID); a GuardianID must name
// another participant of the same call (ErrInvalid). Names are sealed: with
// any participant, the vault must be unlocked (ErrLocked).
func (db *DB) BeginSession(s Session) (Session, error) {
	s.ID, s.StartedAt, s.EndedAt = newID(), time.Time{}, time.Time{}
	if s.Method == "" {
		s.Method = MethodOnScreen
	}
	if s.Method != MethodOnScreen && s.Method != MethodReadAloud {
		return Session{}, fmt.Errorf("storage: create session: method %q: %w", s.Method, ErrInvalid)
	}
	participants := slices.Clone(s.Participants)
	s.Participants = nil
	for i := range participants {
		if err := db.prepareParticipant(&participants[i]); err != nil {
			return Session{}, fmt.Errorf("storage: create session: %w", err)
		}
	}
	for _, p := range participants {
		if p.GuardianID != "" && !slices.ContainsFunc(participants, func(g Participant) bool { return g.ID == p.GuardianID && g.ID != p.ID }) {
			return Session{}, fmt.Errorf("storage: create session: the guardian of %s is not present: %w", p.ID, ErrInvalid)
		}
	}
	var policy any
	if s.Policy != nil {
		policy = string(s.Policy)
	}
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		s.StartedAt = now
		if _, err := tx.Exec("INSERT INTO sessions (id, client_id, started_at, policy, consent_method, confirm_at_end) VALUES (?, ?, ?, ?, ?, ?)",
			s.ID, s.ClientID, nanos(now), policy, s.Method, s.ConfirmAtEnd); err != nil {
			if isForeignKey(err) {
				return fmt.Errorf("client %s: %w", s.ClientID, ErrNotFound)
			}
			return err
		}
		for _, p := range participants {
			p, err := insertParticipant(tx, now, s.ID, p)
			if err != nil {
				return err
			}
			s.Participants = append(s.Participants, p)
		}
		return nil
	})
	if err != nil {
		return Session{}, fmt.Errorf("storage: create session: %w", err)
	}
	return s, nil
}

// NewID returns a fresh random ID in storage's form, for a participant
// whose ID must be known before it is stored.
func NewID() string { return newID() }

// prepareParticipant trims the name, makes the ID and seals the name for
// it (kept in p.sealed until insertParticipant).
func (db *DB) prepareParticipant(p *Participant) error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return fmt.Errorf("participant without a name: %w", ErrInvalid)
	}
	if p.ID == "" {
		p.ID = newID()
	} else if _, err := parseID(p.ID); err != nil {
		return fmt.Errorf("participant: %w", err)
	}
	sealed, err := db.sealName(p.Name, adParticipantName+p.ID)
	if err != nil {
		return err
	}
	p.sealed = sealed
	return nil
}

func insertParticipant(tx *sql.Tx, now time.Time, sessionID string, p Participant) (Participant, error) {
	p.JoinedAt = now
	var guardian any
	if p.GuardianID != "" {
		guardian = p.GuardianID
	}
	if _, err := tx.Exec("INSERT INTO participants (id, session_id, name, role, guardian_id, decides_alone, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		p.ID, sessionID, p.sealed, p.Role, guardian, p.DecidesAlone, nanos(now)); err != nil {
		if isForeignKey(err) {
			return p, fmt.Errorf("session %s: %w", sessionID, ErrNotFound)
		}
		return p, err
	}
	p.sealed = nil
	return p, nil
}

// AddParticipant records someone joining a session already under way; the
// vault must be unlocked (the name is sealed). A GuardianID must name a
// participant already in the session (ErrInvalid).
func (db *DB) AddParticipant(sessionID string, p Participant) (Participant, error) {
	if err := db.prepareParticipant(&p); err != nil {
		return Participant{}, fmt.Errorf("storage: add participant: %w", err)
	}
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		if p.GuardianID != "" {
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM participants WHERE id = ? AND session_id = ?", p.GuardianID, sessionID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("the guardian of %s is not in session %s: %w", p.ID, sessionID, ErrInvalid)
			}
		}
		var err error
		p, err = insertParticipant(tx, now, sessionID, p)
		return err
	})
	if err != nil {
		return Participant{}, fmt.Errorf("storage: add participant: %w", err)
	}
	return p, nil
}

// EndSession marks a session ended now. Ending it twice keeps the first
// time.
func (db *DB) EndSession(sessionID string) error {
	return db.endSession(sessionID, time.Time{})
}

// EndSessionAt marks a session ended at the time given: for a session a
// crash left open, closed later at its last trace. Ending it twice keeps
// the first time.
func (db *DB) EndSessionAt(sessionID string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("storage: end session %s at the zero time: %w", sessionID, ErrInvalid)
	}
	return db.endSession(sessionID, at)
}

func (db *DB) endSession(sessionID string, at time.Time) error {
	return db.write(func(tx *sql.Tx, now time.Time) error {
		if at.IsZero() {
			at = now
		}
		res, err := tx.Exec("UPDATE sessions SET ended_at = coalesce(ended_at, ?) WHERE id = ?", nanos(at), sessionID)
		if err != nil {
			return fmt.Errorf("storage: end session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("storage: session %s: %w", sessionID, ErrNotFound)
		}
		return nil
	})
}

// Session returns one session with its participants, or ErrNotFound.
func (db *DB) Session(id string) (Session, error) {
	var s Session
	var started int64
	var ended sql.NullInt64
	var policy sql.NullString
	var confirmation sql.NullString
	err := db.sql.QueryRow("SELECT id, client_id, started_at, ended_at, policy, consent_method, confirm_at_end, confirmation FROM sessions WHERE id = ?", id).
		Scan(&s.ID, &s.ClientID, &started, &ended, &policy, &s.Method, &s.ConfirmAtEnd, &confirmation)
	s.Confirmation = confirmation.String
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("storage: session %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("storage: session %s: %w", id, dbErr(err))
	}
	s.StartedAt, s.EndedAt = fromNanos(started), fromNullNanos(ended)
	if policy.Valid {
		s.Policy = []byte(policy.String)
	}
	if s.Participants, err = db.participants(id); err != nil {
		return Session{}, err
	}
	return s, nil
}

func (db *DB) participants(sessionID string) ([]Participant, error) {
	rows, err := db.sql.Query("SELECT id, name, role, coalesce(guardian_id, ''), decides_alone, joined_at FROM participants WHERE session_id = ? ORDER BY joined_at, rowid", sessionID)
	if err != nil {
		return nil, fmt.Errorf("storage: participants: %w", dbErr(err))
	}
	defer rows.Close()
	var out []Participant
	for rows.Next() {
		var p Participant
		var name any
		var at int64
		if err := rows.Scan(&p.ID, &name, &p.Role, &p.GuardianID, &p.DecidesAlone, &at); err != nil {
			return nil, fmt.Errorf("storage: participants: %w", dbErr(err))
		}
		if p.Name, err = db.readName(name, adParticipantName+p.ID); err != nil {
			return nil, fmt.Errorf("storage: name of participant %s: %w", p.ID, err)
		}
		p.JoinedAt = fromNanos(at)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: participants: %w", dbErr(err))
	}
	return out, nil
}

// Sessions returns a client's sessions, newest first, without participants
// (use Session for one with its participants).
func (db *DB) Sessions(clientID string) ([]Session, error) {
	return db.sessions("SELECT id, client_id, started_at, ended_at, policy, consent_method, confirm_at_end, confirmation FROM sessions WHERE client_id = ? ORDER BY started_at DESC, id", clientID)
}

// OpenSessions returns the sessions not ended, of every client, oldest
// first, without participants: the one under way, and any a crash or a
// power cut left open.
func (db *DB) OpenSessions() ([]Session, error) {
	return db.sessions("SELECT id, client_id, started_at, ended_at, policy, consent_method, confirm_at_end, confirmation FROM sessions WHERE ended_at IS NULL ORDER BY started_at, id")
}

// UnansweredSessions returns the sessions that ended while the question
// at the end was open (they promised it, hold a recording not deleted,
// and no answer settled it), of every client, oldest first, without
// participants.
func (db *DB) UnansweredSessions() ([]Session, error) {
	return db.sessions(`SELECT id, client_id, started_at, ended_at, policy, consent_method, confirm_at_end, confirmation FROM sessions
		WHERE ended_at IS NOT NULL AND confirm_at_end = 1 AND confirmation IS NULL
		AND EXISTS (SELECT 1 FROM recordings r WHERE r.session_id = sessions.id AND r.state <> 'deleted') ORDER BY started_at, id`)
}

func (db *DB) sessions(query string, args ...any) ([]Session, error) {
	rows, err := db.sql.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: sessions: %w", dbErr(err))
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var s Session
		var started int64
		var ended sql.NullInt64
		var policy, confirmation sql.NullString
		if err := rows.Scan(&s.ID, &s.ClientID, &started, &ended, &policy, &s.Method, &s.ConfirmAtEnd, &confirmation); err != nil {
			return nil, fmt.Errorf("storage: sessions: %w", dbErr(err))
		}
		s.Confirmation = confirmation.String
		s.StartedAt, s.EndedAt = fromNanos(started), fromNullNanos(ended)
		if policy.Valid {
			s.Policy = []byte(policy.String)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: sessions: %w", dbErr(err))
	}
	return out, nil
}

// AppendConsentEvent stores the next event of a session's consent history
// and writes its audit row, in one transaction, and returns the event as
// stored (with Seq and StoredAt). Consent events are never changed or
// removed.
//
// An event with WithdrawDeleteAll erases, in that same transaction, every
// recording of the session that began before it (keys destroyed, rows kept
// as tombstones with reason ReasonWithdrawn, or ReasonUnanswered for an
// end that closes the question at the end); a recording still being
// written is stopped, and the files are unlinked after the commit. So once
// the withdrawal is stored, nothing recorded before it can be read, even if
// the app crashes the next instant.
//
// Steps of the session that the owed journal holds (OweConsentEvent) are
// stored first, in the same transaction, so nothing is stored out of
// order: if they cannot be, neither is ev. A journal of the session that
// cannot be read or does not fit its history is refused with an error
// matching ErrOwed.
func (db *DB) AppendConsentEvent(ev ConsentEvent) (ConsentEvent, error) {
	if err := checkConsentEvent(ev); err != nil {
		return ConsentEvent{}, fmt.Errorf("storage: append consent event: %w", err)
	}
	owed, err := db.readOwed(ev.SessionID)
	if err != nil {
		return ConsentEvent{}, fmt.Errorf("storage: append consent event: %w", err)
	}
	var erased []erasedRecording
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		var err error
		if erased, err = db.appendOwedTx(tx, now, owed.events); err != nil {
			return err
		}
		last, err := lastConsentSeq(tx, ev.SessionID)
		if err != nil {
			return err
		}
		if ev.Seq == 0 {
			ev.Seq = last + 1
		} else if ev.Seq != last+1 {
			return fmt.Errorf("session %s: got seq %d, next is %d: %w", ev.SessionID, ev.Seq, last+1, ErrConsentSeq)
		}
		ev.StoredAt = now
		data, err := db.sealConsentData(ev.Data, ev.SessionID, ev.Seq)
		if err != nil {
			return err
		}
		more, err := insertConsentEvent(tx, now, ev, data, "")
		erased = append(erased, more...)
		return err
	})
	if err != nil {
		return ConsentEvent{}, fmt.Errorf("storage: append consent event: %w", err)
	}
	db.afterErase(erased)
	forgetOwed(db, owed.events)
	return ev, nil
}

// checkConsentEvent refuses an event storage could not keep.
func checkConsentEvent(ev ConsentEvent) error {
	if ev.Kind == "" || ev.Actor == "" {
		return fmt.Errorf("kind and actor are required: %w", ErrInvalid)
	}
	if ev.At.IsZero() {
		return fmt.Errorf("no time: %w", ErrInvalid)
	}
	return nil
}

// lastConsentSeq is the Seq of a session's last stored consent event, 0
// if none.
func lastConsentSeq(tx *sql.Tx, sessionID string) (int, error) {
	var last int
	err := tx.QueryRow("SELECT coalesce(max(seq), 0) FROM consent_events WHERE session_id = ?", sessionID).Scan(&last)
	return last, err
}

// insertConsentEvent inserts ev (its Seq the next one, data as stored)
// with its audit row (detail appended to the audit's), and erases what a
// withdrawal with "delete all" deletes. The caller unlinks the files of
// what it returns after the commit (afterErase).
func insertConsentEvent(tx *sql.Tx, now time.Time, ev ConsentEvent, data []byte, detail string) ([]erasedRecording, error) {
	if _, err := tx.Exec(`INSERT INTO consent_events (session_id, seq, kind, at, actor, participant, data,
		withdraw_delete_all, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.SessionID, ev.Seq, ev.Kind, nanos(ev.At), ev.Actor, ev.Participant, data,
		ev.WithdrawDeleteAll, nanos(now)); err != nil {
		if isForeignKey(err) {
			return nil, fmt.Errorf("session %s: %w", ev.SessionID, ErrNotFound)
		}
		return nil, err
	}
	audit := fmt.Sprintf("seq %d by %s", ev.Seq, ev.Actor)
	if ev.WithdrawDeleteAll {
		audit += "; delete all"
	}
	switch {
	case data == nil:
	case bytes.HasPrefix(data, sealedDataMarker):
		audit += "; " + auditDataSealed
	default:
		audit += "; " + auditDataAsGiven
	}
	if err := appendAudit(tx, now, AuditConsentPrefix+ev.Kind, ev.SessionID, audit+detail); err != nil {
		return nil, err
	}
	if !ev.WithdrawDeleteAll {
		return nil, nil
	}
	ids, err := queryStrings(tx, "SELECT id FROM recordings WHERE session_id = ? AND state <> 'deleted' AND consent_seq < ?", ev.SessionID, ev.Seq)
	if err != nil {
		return nil, err
	}
	reason := ReasonWithdrawn
	if ev.Kind == "end" { // the question at the end closed unanswered
		reason = ReasonUnanswered
	}
	return eraseInTx(tx, now, ids, reason)
}

// ConsentEvents returns a session's consent history in order. Events
// appended while the vault was unlocked have their data sealed: reading
// them needs it unlocked (ErrLocked). Data not sealed is returned only if
// the audit log says it was stored while locked, or it was stored before
// this was recorded (AuditAnchored); else the history is refused
// (ErrTampered): it was put there by hand.
func (db *DB) ConsentEvents(sessionID string) ([]ConsentEvent, error) {
	rows, err := db.sql.Query(`SELECT seq, kind, at, actor, participant, data, withdraw_delete_all, stored_at
		FROM consent_events WHERE session_id = ? ORDER BY seq`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("storage: consent events: %w", dbErr(err))
	}
	defer rows.Close()
	var out []ConsentEvent
	var unsealed []int // seqs of data stored as given
	for rows.Next() {
		ev := ConsentEvent{SessionID: sessionID}
		var at, stored int64
		if err := rows.Scan(&ev.Seq, &ev.Kind, &at, &ev.Actor, &ev.Participant, &ev.Data, &ev.WithdrawDeleteAll, &stored); err != nil {
			return nil, fmt.Errorf("storage: consent events: %w", dbErr(err))
		}
		sealed := bytes.HasPrefix(ev.Data, sealedDataMarker)
		if ev.Data, err = db.openConsentData(ev.Data, sessionID, ev.Seq); err != nil {
			return nil, fmt.Errorf("storage: consent event %d of session %s: %w", ev.Seq, sessionID, err)
		}
		ev.At, ev.StoredAt = fromNanos(at), fromNanos(stored)
		if ev.Data != nil && !sealed {
			unsealed = append(unsealed, ev.Seq)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: consent events: %w", dbErr(err))
	}
	if len(unsealed) > 0 {
		check, err := unsealedDataCheck(db.sql, sessionID)
		if err != nil {
			return nil, fmt.Errorf("storage: consent events: %w", err)
		}
		for _, seq := range unsealed {
			if problem := check(seq); problem != "" {
				return nil, fmt.Errorf("storage: consent event %d of session %s: %s: %w", seq, sessionID, problem, ErrTampered)
			}
		}
	}
	return out, nil
}

func queryStrings(q interface {
	Query(string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := q.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// isForeignKey reports SQLITE_CONSTRAINT_FOREIGNKEY: the row refers to a
// client or session that does not exist.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == 787
}
