package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// The client's record ("was I recorded?"): for one client, every session
// with whether it was recorded, for how long, when the recording is or was
// deleted, how many times it was played and when, and each step of consent
// with its time. Built from the database by (*UI).clientRecord, printed as
// a PDF receipt by writeRecordPDF, and written as Kantara consent receipts
// by kantaraJSON.

// clientRecord is one client's record, as the client screen shows it and
// the PDF receipt prints it. It holds no widgets and reads nothing when
// written out: everything was read when it was built.
type clientRecord struct {
	// client is the therapist's label for the client.
	client string
	// practice is the practice's name, printed when not empty and named as
	// the party responsible in the consent receipts. The caller sets it.
	practice string
	// generated is when the record was read; location the time zone of
	// every date and time in it.
	generated time.Time
	location  *time.Location
	// auditHead is the audit log's head when the record was read ("#123
	// 1a2b3c4d"), printed on it and in its receipts; "" if unknown.
	auditHead string
	// sessions are oldest first.
	sessions []recordSession
	// words are in the client's language (the record is theirs); nil is
	// the app's.
	words *clientText
}

// text is the wording of the record: the client's language.
func (r clientRecord) text() *clientText {
	if r.words == nil {
		return appText
	}
	return r.words
}

// recordSession is one session of a client's record.
type recordSession struct {
	id      string
	started time.Time
	// cs is the session's consent history replayed, or nil if it could not
	// be read (then the record says so rather than guess).
	cs *consent.Session
	// method is how consent was asked.
	method consent.CollectionMethod
	// recordings are the session's recordings, deleted ones included.
	recordings []recordRecording
	// progress is the session's typed progress notes, when the therapist
	// chose to show them (withProgressNotes); never process notes.
	progress string
}

// recordRecording is one recording (segment) of a session, with when it
// was played and exported, from the audit log.
type recordRecording struct {
	storage.Recording
	plays   []time.Time
	exports []time.Time
	copies  []time.Time // given to the client
}

// recordFact is one line of a session's summary: a label and its value.
type recordFact struct {
	label, value string
}

// clientRecord reads the record of client clientID from the database: the
// client, each session's consent history, recordings, plays and exports.
// A session whose consent history cannot be replayed is kept, marked
// unknown (and the detail logged); any other failure to read is an error,
// since a record with gaps would mislead. It needs no key: nothing it reads
// is encrypted.
func (u *UI) clientRecord(clientID string) (clientRecord, error) {
	c, err := u.db.Client(clientID)
	if err != nil {
		return clientRecord{}, fmt.Errorf("client record: %w", err)
	}
	rec := clientRecord{client: c.Label, generated: u.opt.Now(), location: u.opt.Location, words: clientTextOf(c.Language)}
	if head, err := u.db.AuditHeadShort(); err == nil {
		rec.auditHead = head
	} else {
		u.opt.Logf("client record: the audit log's head: %v", err)
	}
	sessions, err := u.db.Sessions(clientID)
	if err != nil {
		return clientRecord{}, fmt.Errorf("client record of %s: %w", clientID, err)
	}
	for _, ss := range sessions {
		s := recordSession{id: ss.ID, started: ss.StartedAt, method: session.MethodOf(ss)}
		if s.cs, err = session.Replay(u.db, ss, u.opt.Location); err != nil {
			u.opt.Logf("client record: replaying session %s: %v", ss.ID, err)
			s.cs = nil
		}
		recs, err := u.db.Recordings(ss.ID)
		if err != nil {
			return clientRecord{}, fmt.Errorf("client record of session %s: %w", ss.ID, err)
		}
		for _, r := range recs {
			rr := recordRecording{Recording: r}
			if rr.plays, rr.exports, rr.copies, err = u.recordingUses(r.ID); err != nil {
				return clientRecord{}, fmt.Errorf("client record of recording %s: %w", r.ID, err)
			}
			s.recordings = append(s.recordings, rr)
		}
		rec.sessions = append(rec.sessions, s)
	}
	slices.SortStableFunc(rec.sessions, func(a, b recordSession) int { return a.started.Compare(b.started) })
	return rec, nil
}

// withProgressNotes adds to rec each session's typed progress notes, for
// the therapist who chooses to show them in the client's record. It is
// the only way notes reach the client's materials, and it reads
// storage.Notes.Text alone: process notes (and handwriting) never come
// into the record. Needs the vault unlocked.
func (u *UI) withProgressNotes(rec clientRecord) (clientRecord, error) {
	out := rec
	out.sessions = slices.Clone(rec.sessions)
	for i, s := range out.sessions {
		n, err := u.db.Notes(s.id)
		if err != nil {
			return rec, fmt.Errorf("client record: progress notes of session %s: %w", s.id, err)
		}
		out.sessions[i].progress = strings.TrimSpace(n.Text)
	}
	return out, nil
}

// recordingUses reads from the audit log when a recording was played,
// when it was exported and when a copy was given to the client.
func (u *UI) recordingUses(id string) (plays, exports, copies []time.Time, err error) {
	const page = 500
	var after int64
	for {
		rows, err := u.db.AuditLog(after, page, id)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, e := range rows {
			switch e.Kind {
			case storage.AuditRecordingPlayed:
				plays = append(plays, e.At)
			case storage.AuditRecordingExported:
				exports = append(exports, e.At)
			case storage.AuditClientCopyGiven:
				copies = append(copies, e.At)
			}
		}
		if len(rows) < page {
			return plays, exports, copies, nil
		}
		after = rows[len(rows)-1].ID
	}
}

// loc is the record's time zone: UTC if none was set.
func (r clientRecord) loc() *time.Location {
	if r.location == nil {
		return time.UTC
	}
	return r.location
}

// owner is who the consent receipts name as responsible for the
// recordings: the practice, or "The therapist".
func (r clientRecord) owner() string {
	if p := strings.TrimSpace(r.practice); p != "" {
		return p
	}
	return r.text().RecordDefaultOwner
}

// receipt is session s's consent receipt, or false if its history could
// not be read.
func (r clientRecord) receipt(s recordSession) (consent.Receipt, bool) {
	if s.cs == nil {
		return consent.Receipt{}, false
	}
	rc := s.cs.Receipt(s.method, r.owner())
	rc.Location = r.loc()
	rc.AuditHead = r.auditHead
	return rc, true
}

// when writes t as "Wednesday 3 June 2026 at 09:15" in the record's zone.
func (r clientRecord) when(t time.Time) string {
	return fmt.Sprintf(r.text().RecordAt, r.text().longDate(t, r.loc()), t.In(r.loc()).Format("15:04"))
}

// zone says which time the record's times are: "Europe/London time (BST,
// UTC+01:00)", or "local time (CET, UTC+01:00)" for the computer's own zone.
func (r clientRecord) zone() string {
	t := r.generated.In(r.loc())
	name := r.loc().String()
	if name == "Local" || name == "UTC" || name == "" {
		name = r.text().RecordLocalZone
	}
	var details []string
	// Zones without an abbreviation format one as "+01".
	if abbr := t.Format("MST"); abbr != "UTC" && !strings.HasPrefix(abbr, "+") && !strings.HasPrefix(abbr, "-") && abbr != name {
		details = append(details, abbr)
	}
	if offset := t.Format("-07:00"); offset == "+00:00" {
		details = append(details, "UTC")
	} else {
		details = append(details, "UTC"+offset)
	}
	return fmt.Sprintf(r.text().RecordZoneName, name, strings.Join(details, ", "))
}

// heading is the session's title: "Session of Monday 1 June 2026, 10:00".
func (r clientRecord) heading(s recordSession) string {
	return fmt.Sprintf(r.text().RecordSessionHeading, r.text().longDate(s.started, r.loc()), s.started.In(r.loc()).Format("15:04"))
}

// facts sums session s up in a few labelled lines: whether it was recorded
// (the mode), minutes recorded, deletion, plays, exports and the receipt
// number.
func (r clientRecord) facts(s recordSession) []recordFact {
	var facts []recordFact
	rc, known := r.receipt(s)
	facts = append(facts, recordFact{r.text().RecordLabelRecorded, r.text().recordMode(rc, known)})

	var total time.Duration
	for _, rec := range s.recordings {
		total += rec.Duration
	}
	minutes := r.text().RecordNoMinutes
	if total > 0 {
		minutes = r.text().duration(total.Round(time.Second))
	}
	facts = append(facts, recordFact{r.text().RecordLabelMinutes, minutes})

	var deletion []string
	for i, rec := range s.recordings {
		line := r.deletion(rec.Recording)
		if len(s.recordings) > 1 {
			line = fmt.Sprintf(r.text().RecordPart, i+1, r.text().duration(rec.Duration.Round(time.Second)), line)
		}
		deletion = append(deletion, line)
	}
	if len(deletion) == 0 {
		deletion = []string{r.text().RecordNothingToDelete}
	}
	facts = append(facts, recordFact{r.text().RecordLabelDeletion, strings.Join(deletion, "\n")})

	var plays, exports, copies []time.Time
	counted := 0
	for _, rec := range s.recordings {
		plays = append(plays, rec.plays...)
		exports = append(exports, rec.exports...)
		copies = append(copies, rec.copies...)
		counted += max(rec.Plays, len(rec.plays))
	}
	facts = append(facts, recordFact{r.text().RecordLabelPlayed, r.uses(counted, plays)})
	if len(exports) > 0 {
		facts = append(facts, recordFact{r.text().RecordLabelExported, r.uses(len(exports), exports)})
	}
	if len(copies) > 0 {
		facts = append(facts, recordFact{r.text().RecordLabelCopyGiven, r.uses(len(copies), copies)})
	}
	if known && len(rc.Events) > 0 {
		facts = append(facts, recordFact{r.text().RecordLabelReceipt, rc.ID})
	}
	return facts
}

// recordMode says whether the session was recorded, in words a client
// reads: recorded, notes only, declined or withdrawn (and what became of
// what was recorded).
func (t *clientText) recordMode(rc consent.Receipt, known bool) string {
	if !known {
		return t.RecordModeUnknown
	}
	switch rc.Outcome {
	case consent.OutcomeRecorded:
		return t.RecordModeRecorded
	case consent.OutcomeDeclined:
		return t.RecordModeDeclined
	case consent.OutcomeWithdrawn:
		switch rc.Withdrawal {
		case consent.WithdrawDeleteAll:
			return t.RecordModeWithdrawn + " " + t.RecordWithdrawAll
		case consent.WithdrawDeleteLast:
			return t.RecordModeWithdrawn + " " + fmt.Sprintf(t.RecordWithdrawLast, t.duration(time.Duration(rc.DeleteMinutes)*time.Minute))
		}
		return t.RecordModeWithdrawn + " " + t.RecordWithdrawKept
	}
	return t.RecordModeNotesOnly
}

// deletion says when a recording will be, or was, deleted.
func (r clientRecord) deletion(rec storage.Recording) string {
	loc := r.loc()
	if rec.State == storage.StateDeleted {
		s := fmt.Sprintf(r.text().RecordDeleted, r.text().longDate(rec.DeletedAt, loc), rec.DeletedAt.In(loc).Format("15:04"))
		if why := strings.TrimSpace(rec.DeleteReason); why != "" {
			why = r.text().deleteReason(why)
			s += " (" + why + ")"
		}
		return s + "."
	}
	if !rec.DeleteOn.After(r.generated) {
		return fmt.Sprintf(r.text().RecordDue, r.text().longDate(rec.DeleteOn, loc))
	}
	return fmt.Sprintf(r.text().RecordWillDelete, r.text().longDate(rec.DeleteOn, loc), r.text().recordDaysUntil(r.generated, rec.DeleteOn, loc))
}

// recordDaysUntil counts calendar days from now to the day of t: "1 day",
// "12 days", or "less than a day" when t is today.
func (tx *clientText) recordDaysUntil(now, t time.Time, loc *time.Location) string {
	y1, m1, d1 := now.In(loc).Date()
	y2, m2, d2 := t.In(loc).Date()
	days := int(time.Date(y2, m2, d2, 12, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 12, 0, 0, 0, time.UTC)).Hours() / 24)
	if days < 1 {
		return tx.RecordLessThanADay
	}
	return tx.days(days)
}

// uses says how many times something was done and when: "Never.", or
// "2 times: Wednesday 3 June 2026 at 09:15; Friday 5 June 2026 at 14:00."
// count may exceed the times known (a play counted without its audit row):
// the count is the larger, and the times known are listed.
func (r clientRecord) uses(count int, times []time.Time) string {
	count = max(count, len(times))
	if count == 0 {
		return r.text().RecordNever
	}
	times = slices.Clone(times)
	slices.SortFunc(times, time.Time.Compare)
	var when []string
	for _, t := range times {
		when = append(when, r.when(t))
	}
	if len(when) == 0 {
		return r.text().times(count) + "."
	}
	return fmt.Sprintf(r.text().RecordTimes, r.text().times(count), strings.Join(when, ";\n"))
}

// consentSteps is the session's consent history in plain language, as
// consent's receipt page words it: how consent was asked, who was present,
// the outcome, the purposes and the deletion date, then every event with
// its time. The page's first paragraph (the session's date) is left out:
// the session's heading says it. Nil if the history could not be read.
func (r clientRecord) consentSteps(s recordSession) []string {
	rc, ok := r.receipt(s)
	if !ok {
		return nil
	}
	paras := rc.Page().Paragraphs
	if len(rc.Events) > 0 && len(paras) > 0 {
		paras = paras[1:]
	}
	return paras
}

// kantaraJSON writes every session's consent receipt as a JSON array of
// Kantara Consent Receipts (consent's Receipt.KantaraJSON), oldest first.
// Sessions whose client was never asked, or whose history could not be
// read, have no receipt and are left out.
func (r clientRecord) kantaraJSON() ([]byte, error) {
	receipts := []json.RawMessage{}
	for _, s := range r.sessions {
		rc, ok := r.receipt(s)
		if !ok || len(rc.Events) == 0 {
			continue
		}
		b, err := rc.KantaraJSON()
		if err != nil {
			return nil, fmt.Errorf("consent receipt of session %s: %w", s.id, err)
		}
		receipts = append(receipts, b)
	}
	b, err := json.MarshalIndent(receipts, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("consent receipts: %w", err)
	}
	return append(b, '\n'), nil
}
