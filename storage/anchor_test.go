package storage_test

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// forgeAuditRow appends a row to the audit log with plain SQL and a
// correct hash, as someone with the file and Assent's source could, and
// returns its ID.
func forgeAuditRow(t *testing.T, raw *sql.DB, at time.Time, kind, subject, detail string) int64 {
	t.Helper()
	var id int64
	var prev []byte
	if err := raw.QueryRow("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").Scan(&id, &prev); err != nil {
		t.Fatal(err)
	}
	id++
	mustExec(t, raw, "INSERT INTO audit (id, at, kind, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, at.UnixNano(), kind, subject, detail, prev, storage.AuditHash(prev, id, at.UnixNano(), kind, subject, detail))
	return id
}

// anchorFindings unlocks and returns what VerifyAuditAnchor finds, in words.
func anchorFindings(t *testing.T, db *storage.DB) string {
	t.Helper()
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("VerifyAudit: %v (the chain itself is intact in these tests)", err)
	}
	if err := db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	fs, err := db.VerifyAuditAnchor()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintln(&b, f)
	}
	return b.String()
}

// Rows removed from the end of the log, with sqlite_sequence lowered to
// match, leave a chain VerifyAudit cannot fault; the anchor shows it, at
// the next unlock and for good after.
func TestAuditAnchorTruncatedTail(t *testing.T) {
	f := newVault(t)
	for i := range 5 {
		if err := f.db.Audit("test.event", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	head, _, _ := f.db.AuditHead()
	f.db.Close()
	raw := rawDB(t, f.dir)
	mustExec(t, raw, "DROP TRIGGER audit_no_delete")
	mustExec(t, raw, "DELETE FROM audit WHERE id > ?", head-2)
	mustExec(t, raw, "UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'", head-2)
	f.db = openDB(t, f.dir, f.clock)

	want := fmt.Sprintf("it ends at entry %d, but entry %d was written with the vault's key", head-2, head)
	if got := anchorFindings(t, f.db); !strings.Contains(got, want) {
		t.Errorf("VerifyAuditAnchor:\n%s\nwant a finding saying %q", got, want)
	}
	f.db.Audit("test.event", "later")
	f.reopen(t)
	if got := anchorFindings(t, f.db); !strings.Contains(got, want) {
		t.Errorf("after more writes and a restart:\n%s\nwant the finding still", got)
	}
}

// A row added with plain SQL and a correct hash fits the chain; after the
// anchor, it is reported unless it is of a kind Assent writes without the
// key, which the hash alone cannot tell from a purge's (the documented
// limit).
func TestAuditAnchorForgedRow(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(3*testChunk, 1))
	f.db.Close()
	raw := rawDB(t, f.dir)
	exported := forgeAuditRow(t, raw, f.clock.Now(), storage.AuditRecordingExported, id, "to a stranger")
	forgeAuditRow(t, raw, f.clock.Now(), storage.AuditRecordingDeleted, id, storage.ReasonDeletionDate)
	f.db = openDB(t, f.dir, f.clock)

	got := anchorFindings(t, f.db)
	if want := fmt.Sprintf("audit entry %d: it (%s) was added after entry %d", exported, storage.AuditRecordingExported, exported-1); !strings.Contains(got, want) {
		t.Errorf("VerifyAuditAnchor:\n%s\nwant a finding saying %q", got, want)
	}
	if strings.Contains(got, storage.AuditRecordingDeleted) {
		t.Errorf("a forged row of a kind written without the key was told apart: the limit moved; update the docs:\n%s", got)
	}
}

// The anchor and its MAC: a row put back from an earlier copy, or an
// altered anchor, is reported.
func TestAuditAnchorAltered(t *testing.T) {
	f := newVault(t)
	f.db.Audit("test.event", "one")
	f.db.Close()
	raw := rawDB(t, f.dir)
	mustExec(t, raw, "UPDATE audit_anchor SET seen_at = seen_at - 1")
	f.db = openDB(t, f.dir, f.clock)
	if got := anchorFindings(t, f.db); !strings.Contains(got, "its anchor does not match the vault's key") {
		t.Errorf("VerifyAuditAnchor with an altered anchor:\n%s", got)
	}
	f.db.Close()
	mustExec(t, raw, "DELETE FROM audit_anchor")
	f.db = openDB(t, f.dir, f.clock)
	if got := anchorFindings(t, f.db); !strings.Contains(got, "its anchor was removed") {
		t.Errorf("VerifyAuditAnchor with the anchor removed:\n%s", got)
	}
}

// What Assent writes without the key (a purge, a client's Stop at a locked
// screen, a recording stopped after the screen locked, a failed unlock, a
// shorter choice) verifies at the next unlock: anchor, terms and consent
// data alike.
func TestLockedWritersStillVerify(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	due := f.recordUntil(t, s.ID, 1, f.clock.Now().Add(time.Hour))
	f.record(t, s.ID, 2, randomBytes(3*testChunk, 2))
	if _, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "confirmed", At: f.clock.Now(), Actor: "participant", Data: []byte(`{"kind":"confirmed"}`)}); err != nil {
		t.Fatal(err)
	}
	w := f.startRecording(t, s.ID, 3)
	f.db.Lock()
	w.Write(randomBytes(3*testChunk, 3))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.reopen(t)
	f.clock.Add(2 * time.Hour)
	sameIDs(t, "a locked Purge", f.purged(t, f.clock.Now()), due)
	pause := []byte(`{"kind":"pause"}`)
	if _, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "pause", At: f.clock.Now(), Actor: "participant", Data: pause}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ShortenDeletion(s.ID, f.clock.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Unlock("not the passphrase"); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Fatal(err)
	}

	if got := anchorFindings(t, f.db); got != "" {
		t.Errorf("VerifyAuditAnchor:\n%s", got)
	}
	if fs, err := f.db.VerifyConsentData(); err != nil || len(fs) != 0 {
		t.Errorf("VerifyConsentData = %v, %v", fs, err)
	}
	if fs, err := f.db.VerifyTerms(); err != nil || len(fs) != 0 {
		t.Errorf("VerifyTerms = %v, %v", fs, err)
	}
	evs, err := f.db.ConsentEvents(s.ID)
	if err != nil || len(evs) != 2 || string(evs[1].Data) != string(pause) {
		t.Errorf("ConsentEvents = %+v, %v", evs, err)
	}
}

// Consent data not sealed is accepted only where its audit row says the
// vault was locked: data put there by hand after sealing began is reported
// and refused, whether it replaced sealed data, came with a forged audit
// row that does not say so, or came with none.
func TestUnsealedConsentDataRefused(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	for _, kind := range []string{"confirmed", "pause"} {
		if _, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: kind, At: f.clock.Now(), Actor: "participant", Data: []byte(`{"kind":"` + kind + `"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	f.db.Close()
	raw := rawDB(t, f.dir)
	mustExec(t, raw, "DROP TRIGGER consent_events_no_update")
	mustExec(t, raw, `UPDATE consent_events SET data = CAST('{"kind":"declined"}' AS BLOB) WHERE session_id = ? AND seq = 1`, s.ID)
	insert := func(seq int, kind string) {
		mustExec(t, raw, `INSERT INTO consent_events (session_id, seq, kind, at, actor, participant, data, withdraw_delete_all, stored_at)
			VALUES (?, ?, ?, ?, 'participant', '', CAST(? AS BLOB), 0, ?)`, s.ID, seq, kind, f.clock.Now().UnixNano(), `{"kind":"`+kind+`"}`, f.clock.Now().UnixNano())
	}
	insert(3, "withdrawn")
	forged := forgeAuditRow(t, raw, f.clock.Now(), storage.AuditConsentPrefix+"withdrawn", s.ID, "seq 3 by participant")
	insert(4, "confirmed") // and no audit row at all
	f.db = openDB(t, f.dir, f.clock)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}

	fs, err := f.db.VerifyConsentData()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fs {
		got[f.Subject] = f.Problem
	}
	for seq, want := range map[int]string{
		1: "says it was: it was replaced",
		2: "",
		3: fmt.Sprintf("audit entry %d does not say the vault was locked", forged),
		4: "the audit log does not record it being stored",
	} {
		subject := fmt.Sprintf("consent event %d of session %s", seq, s.ID)
		if p := got[subject]; (want == "") != (p == "") || !strings.Contains(p, want) {
			t.Errorf("%s: %q, want %q", subject, p, want)
		}
	}
	if _, err := f.db.ConsentEvents(s.ID); !errors.Is(err, storage.ErrTampered) {
		t.Errorf("ConsentEvents with data put there by hand: %v, want ErrTampered", err)
	}
}
