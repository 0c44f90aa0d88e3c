package app

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// recordZone is the practice's time zone in record tests: not UTC, so that
// a time printed in the wrong zone shows.
var recordZone = time.FixedZone("CEST", 2*60*60)

// newRecordUI is newUIWith in the record tests' zone, unlocked.
func newRecordUI(t *testing.T, clock *clocktest.Clock) (*UI, *storage.DB) {
	t.Helper()
	u, db := newUIWith(t, clock, recordZone)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	return u, db
}

// recordSessionRun drives one session's consent and keeps its history in
// storage as package session stores it (session.StoreEvent), at the times the test chooses.
type recordSessionRun struct {
	t      *testing.T
	u      *UI
	db     *storage.DB
	clock  *clocktest.Clock
	stored storage.Session
	cs     *consent.Session
	anna   string // the participant's ID
}

func startRecordSession(t *testing.T, u *UI, db *storage.DB, clock *clocktest.Clock, client storage.Client) *recordSessionRun {
	t.Helper()
	ss, err := db.CreateSession(client.ID, storage.Participant{Name: "Anaïs", Role: roleID(consent.RoleClient)})
	if err != nil {
		t.Fatal(err)
	}
	id := ss.Participants[0].ID
	cs, err := consent.NewSession(ss.ID, client.ID, []consent.Participant{{ID: id, Name: "Anaïs", Role: consent.RoleClient}}, u.policyFromSettings(), recordZone)
	if err != nil {
		t.Fatal(err)
	}
	return &recordSessionRun{t: t, u: u, db: db, clock: clock, stored: ss, cs: cs, anna: id}
}

// apply runs ev at the clock's time through consent and stores it.
func (r *recordSessionRun) apply(ev consent.Event) consent.Effects {
	r.t.Helper()
	ev.At = r.clock.Now()
	eff, err := r.cs.Apply(ev)
	if err != nil {
		r.t.Fatalf("%s: %v", ev.Kind, err)
	}
	if err := session.StoreEvent(r.u.db, r.stored.ID, ev); err != nil {
		r.t.Fatal(err)
	}
	return eff
}

// record writes a recording of length d under grant, as the recorder's
// sink would (storage does not look inside the MP3 bytes).
func (r *recordSessionRun) record(grant consent.Grant, segment int, d time.Duration) string {
	r.t.Helper()
	var purposes []string
	for _, p := range grant.Purposes() {
		purposes = append(purposes, p.ID)
	}
	w, err := r.db.NewRecording(r.stored.ID, segment, grant.DeleteOn(), purposes)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte("mp3 frame "), 4000)); err != nil {
		r.t.Fatal(err)
	}
	w.SetDuration(d)
	r.clock.Set(r.clock.Now().Add(d))
	if err := w.Close(); err != nil {
		r.t.Fatal(err)
	}
	return w.ID()
}

func (r *recordSessionRun) end() {
	r.t.Helper()
	r.apply(consent.Event{Kind: consent.EventEnd, Actor: consent.Therapist()})
	if err := r.db.EndSession(r.stored.ID); err != nil {
		r.t.Fatal(err)
	}
}

// recordPDFText is the text of a PDF as pdftotext -layout gives it, with
// runs of white space made one space, so that wrapped lines read on. It
// fails the test when pdftotext is not installed.
func recordPDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	// Not a skip: `make test` installs poppler-utils, and a receipt whose
	// text is never read back proves nothing.
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: run `make test`, or apt-get install poppler-utils")
	}
	path := filepath.Join(t.TempDir(), "record.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestRecordPDFAgreesWithTheDatabase builds a practice with three sessions
// of one client — recorded then stopped (kept) and played once; declined;
// recorded then withdrawn with "delete all" — and checks the PDF receipt's
// text, and the Kantara receipts, against what the database holds.
func TestRecordPDFAgreesWithTheDatabase(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 6, 1, 10, 0, 0, 0, recordZone))
	u, db := newRecordUI(t, clock)
	client, err := db.CreateClient("Anaïs B.")
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour, minute int) {
		clock.Set(time.Date(2026, month, day, hour, minute, 0, 0, recordZone))
	}

	// 1 June: asked, yes, 47½ minutes recorded, stopped and kept.
	s1 := startRecordSession(t, u, db, clock, client)
	at(6, 1, 10, 1)
	s1.apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()})
	at(6, 1, 10, 2)
	eff := s1.apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(s1.anna), Participant: s1.anna})
	if !eff.StartCapture {
		t.Fatal("a yes did not start capture")
	}
	kept := s1.record(eff.Grant, 1, 47*time.Minute+30*time.Second)
	s1.apply(consent.Event{Kind: consent.EventWithdraw, Actor: consent.ByParticipant(s1.anna), Withdrawal: consent.WithdrawKeep})
	at(6, 1, 10, 55)
	s1.end()
	// Played once, on 3 June.
	at(6, 3, 9, 15)
	rc, err := db.OpenRecording(kept)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, rc)
	rc.Close()

	// 8 June: asked, and Anaïs said no.
	at(6, 8, 10, 0)
	s2 := startRecordSession(t, u, db, clock, client)
	at(6, 8, 10, 1)
	s2.apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()})
	at(6, 8, 10, 3)
	s2.apply(consent.Event{Kind: consent.EventDecline, Actor: consent.ByParticipant(s2.anna), Participant: s2.anna})
	at(6, 8, 10, 50)
	s2.end()

	// 15 June: yes, 12 minutes, then stopped with "delete all".
	at(6, 15, 10, 0)
	s3 := startRecordSession(t, u, db, clock, client)
	at(6, 15, 10, 4)
	s3.apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()})
	at(6, 15, 10, 6)
	eff = s3.apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(s3.anna), Participant: s3.anna, KeepDays: 7})
	s3.record(eff.Grant, 1, 12*time.Minute)
	s3.apply(consent.Event{Kind: consent.EventWithdraw, Actor: consent.ByParticipant(s3.anna), Withdrawal: consent.WithdrawDeleteAll})
	at(6, 15, 10, 40)
	s3.end()

	at(6, 20, 16, 30)
	rec, err := u.clientRecord(client.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.practice = "Cabinet Zoé Lefèvre — Psychothérapie"
	head, err := db.AuditHeadShort()
	if err != nil || !strings.HasPrefix(head, "#") || rec.auditHead != head {
		t.Fatalf("the record's audit head %q, the log's %q (%v)", rec.auditHead, head, err)
	}
	var pdf bytes.Buffer
	if err := writeRecordPDF(&pdf, rec); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if keep := os.Getenv("ASSENT_KEEP_RECORD_PDF"); keep != "" {
		os.WriteFile(keep, pdf.Bytes(), 0o600)
	}
	text := recordPDFText(t, pdf.Bytes())
	mustContain := func(where, text string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in\n%s", where, w, text)
			}
		}
	}
	mustContain("the heading", text,
		"Record of sessions", "For: Anaïs B.", "Practice: Cabinet Zoé Lefèvre — Psychothérapie",
		"Times are CEST time (UTC+02:00).",
		"Generated by Assent on Saturday 20 June 2026 at 16:30 — page 1 of ",
		"log stood at "+head+" when this record was made")

	// Each session's part of the text, by its heading, from the database.
	sessions, err := db.Sessions(client.ID)
	if err != nil || len(sessions) != 3 {
		t.Fatalf("sessions: %d, %v", len(sessions), err)
	}
	slices.SortFunc(sessions, func(a, b storage.Session) int { return a.StartedAt.Compare(b.StartedAt) })
	headings := make([]string, len(sessions))
	for i, ss := range sessions {
		headings[i] = "Session of " + consent.LongDate(ss.StartedAt, recordZone) + ", " + ss.StartedAt.In(recordZone).Format("15:04")
	}
	part := func(i int) string {
		start := strings.Index(text, headings[i])
		if start < 0 {
			t.Fatalf("no heading %q in\n%s", headings[i], text)
		}
		rest := text[start:]
		if i+1 < len(headings) {
			if end := strings.Index(rest, headings[i+1]); end >= 0 {
				return rest[:end]
			}
		}
		return rest
	}
	modes := []string{
		"Recorded? Yes, until the recording was stopped (withdrawn). What was recorded is kept until its deletion date.",
		"Recorded? No: declined.",
		"Recorded? Yes, until the recording was stopped (withdrawn). All of it was deleted.",
	}
	var receiptIDs []string
	for i, ss := range sessions {
		p := part(i)
		mustContain(headings[i], p, modes[i])

		recs, err := db.Recordings(ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		var total time.Duration
		plays := 0
		for _, r := range recs {
			total += r.Duration
			plays += r.Plays
			switch r.State {
			case storage.StateDeleted:
				mustContain(headings[i], p, "Deletion Deleted on "+consent.LongDate(r.DeletedAt, recordZone)+" at "+r.DeletedAt.In(recordZone).Format("15:04"))
			default:
				mustContain(headings[i], p, "Deletion Will be deleted on "+consent.LongDate(r.DeleteOn, recordZone))
			}
		}
		switch {
		case len(recs) == 0:
			mustContain(headings[i], p, "Minutes recorded None", "Deletion Nothing was recorded")
		default:
			mustContain(headings[i], p, "Minutes recorded "+humanDuration(total))
		}
		// Plays, from the audit log.
		var playTimes []string
		for _, r := range recs {
			log, err := db.AuditLog(0, 1000, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range log {
				if e.Kind == storage.AuditRecordingPlayed {
					playTimes = append(playTimes, consent.LongDate(e.At, recordZone)+" at "+e.At.In(recordZone).Format("15:04"))
				}
			}
		}
		if len(playTimes) != plays {
			t.Fatalf("session %d: %d plays counted, %d in the audit log", i+1, plays, len(playTimes))
		}
		switch plays {
		case 0:
			mustContain(headings[i], p, "Played Never.")
		case 1:
			mustContain(headings[i], p, "Played 1 time: "+playTimes[0]+".")
		default:
			t.Fatalf("session %d played %d times", i+1, plays)
		}

		// Every consent event with its time, in order.
		events, err := db.ConsentEvents(ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		steps := p[strings.Index(p, "What happened:"):]
		for _, e := range events {
			stamp := e.At.In(recordZone).Format("15:04") + " — "
			j := strings.Index(steps, stamp)
			if j < 0 {
				t.Errorf("%s: the %s at %s is missing from\n%s", headings[i], e.Kind, stamp, p)
				continue
			}
			steps = steps[j+len(stamp):]
		}
		if m := regexp.MustCompile(`Receipt number ([0-9a-f-]{36})`).FindStringSubmatch(p); m != nil {
			receiptIDs = append(receiptIDs, m[1])
		} else {
			t.Errorf("%s: no receipt number", headings[i])
		}
	}
	if plays := strings.Count(text, "Played 1 time"); plays != 1 {
		t.Errorf("%d sessions say they were played once, want 1", plays)
	}

	// The Kantara receipts say the same, with the same receipt numbers.
	js, err := rec.kantaraJSON()
	if err != nil {
		t.Fatal(err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(js, &raws); err != nil || len(raws) != 3 {
		t.Fatalf("kantara JSON: %d receipts, %v", len(raws), err)
	}
	wantOutcomes := []string{"withdrawn", "declined", "withdrawn"}
	for i, raw := range raws {
		k, err := consent.ParseKantaraJSON(raw)
		if err != nil {
			t.Fatalf("receipt %d: %v", i+1, err)
		}
		if k.Assent.AuditHead != head {
			t.Errorf("receipt %d: audit head %q, want %q", i+1, k.Assent.AuditHead, head)
		}
		if k.Assent.SessionID != sessions[i].ID || k.Assent.Outcome != wantOutcomes[i] {
			t.Errorf("receipt %d: session %s outcome %s, want %s %s", i+1, k.Assent.SessionID, k.Assent.Outcome, sessions[i].ID, wantOutcomes[i])
		}
		if i < len(receiptIDs) && k.ConsentReceiptID != receiptIDs[i] {
			t.Errorf("receipt %d: ID %s in the JSON, %s in the PDF", i+1, k.ConsentReceiptID, receiptIDs[i])
		}
		if k.PIIControllers[0].PIIController != rec.practice {
			t.Errorf("receipt %d: controller %q", i+1, k.PIIControllers[0].PIIController)
		}
	}
	if got := mustKantaraTermination(t, raws[2]); got != "2026-06-15T10:18:00+02:00" {
		t.Errorf("the deleted session's receipt ends %s, want the withdrawal", got)
	}
}

// mustKantaraTermination is the first purpose's termination in a receipt.
func mustKantaraTermination(t *testing.T, raw []byte) string {
	t.Helper()
	k, err := consent.ParseKantaraJSON(raw)
	if err != nil || len(k.Services) == 0 || len(k.Services[0].Purposes) == 0 {
		t.Fatalf("receipt: %v", err)
	}
	return k.Services[0].Purposes[0].Termination
}

func TestRecordFacts(t *testing.T) {
	now := time.Date(2026, 6, 20, 16, 30, 0, 0, recordZone)
	rec := clientRecord{client: "C", generated: now, location: recordZone}
	day := func(d, h, m int) time.Time { return time.Date(2026, 6, d, h, m, 0, 0, recordZone) }
	s := recordSession{started: day(1, 10, 0), recordings: []recordRecording{
		{Recording: storage.Recording{State: storage.StateDeleted, Duration: 5 * time.Minute, DeletedAt: day(1, 10, 30),
			DeleteReason: "the client chose to delete the last 5 minutes"}},
		{Recording: storage.Recording{State: storage.StateComplete, Duration: 10 * time.Minute, DeleteOn: day(21, 0, 0), Plays: 3},
			plays: []time.Time{day(5, 9, 0), day(2, 18, 5)}},
		{Recording: storage.Recording{State: storage.StateComplete, Duration: 90 * time.Second, DeleteOn: day(20, 0, 0)},
			exports: []time.Time{day(3, 12, 0)}},
	}}
	got := map[string]string{}
	for _, f := range rec.facts(s) {
		got[f.label] = f.value
	}
	want := map[string]string{
		appText.RecordLabelRecorded: appText.RecordModeUnknown,
		appText.RecordLabelMinutes:  "16 minutes 30 seconds",
		appText.RecordLabelDeletion: "Part 1 (5 minutes): Deleted on Monday 1 June 2026 at 10:30 (the client chose to delete the last 5 minutes).\n" +
			"Part 2 (10 minutes): Will be deleted on Sunday 21 June 2026 (in 1 day).\n" +
			"Part 3 (1 minute 30 seconds): Due for deletion on Saturday 20 June 2026; it is erased the next time Assent runs.",
		appText.RecordLabelPlayed:   "3 times: Tuesday 2 June 2026 at 18:05;\nFriday 5 June 2026 at 09:00.",
		appText.RecordLabelExported: "1 time: Wednesday 3 June 2026 at 12:00.",
	}
	for label, w := range want {
		if got[label] != w {
			t.Errorf("%s = %q\nwant %q", label, got[label], w)
		}
	}
	if _, ok := got[appText.RecordLabelReceipt]; ok {
		t.Error("a receipt number for a session whose history is unknown")
	}
}

// TestRecordPDFOddInput writes records no database would hold: empty,
// without a time zone, with labels in scripts Helvetica cannot print, with
// control characters and invalid UTF-8, with a word longer than a line. The
// PDF is still made, and readable.
func TestRecordPDFOddInput(t *testing.T) {
	long := strings.Repeat("W", 3000)
	for _, r := range []clientRecord{
		{},
		{client: "日本語 🙂 עברית", practice: "\x00\x01\x1b[31m\u202e", generated: time.Unix(0, 0)},
		{client: string([]byte{0xff, 0xfe, 'A'}), practice: long, location: time.UTC, generated: time.Date(9999, 12, 31, 23, 59, 0, 0, time.UTC),
			sessions: []recordSession{
				{id: "x", started: time.Time{}},
				{id: long, started: time.Now(), recordings: []recordRecording{{Recording: storage.Recording{
					State: storage.StateDeleted, DeleteReason: long + "\n\n\r\t" + long, Duration: -time.Hour, Plays: -3}}}},
			}},
	} {
		var pdf bytes.Buffer
		if err := writeRecordPDF(&pdf, r); err != nil {
			t.Errorf("client %q: %v", r.client, err)
			continue
		}
		if text := recordPDFText(t, pdf.Bytes()); !strings.Contains(text, "Generated by Assent") {
			t.Errorf("client %q: the PDF reads %q", r.client, text)
		}
		if _, err := r.kantaraJSON(); err != nil {
			t.Errorf("client %q: kantara: %v", r.client, err)
		}
	}
	// A writer that fails gets an error, not a half document.
	if err := writeRecordPDF(recordFailingWriter{}, clientRecord{}); err == nil {
		t.Error("no error from a failing writer")
	}
}

type recordFailingWriter struct{}

func (recordFailingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }
