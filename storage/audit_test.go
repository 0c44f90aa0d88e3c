package storage_test

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// auditFixture is a data folder with n audit rows, closed, and a raw
// connection for editing it as an attacker would (triggers dropped first:
// they stop mistakes, not someone with the file).
func auditFixture(t *testing.T, n int) (dir string, raw *sql.DB) {
	t.Helper()
	f := newVault(t) // writes row 1
	for i := 2; i <= n; i++ {
		if err := f.db.Audit("test.event", fmt.Sprintf("event %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Fatalf("fresh chain: %v", err)
	}
	f.db.Close()
	raw, err := sql.Open("sqlite", storage.DSN(f.dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	mustExec(t, raw, "DROP TRIGGER audit_no_update")
	mustExec(t, raw, "DROP TRIGGER audit_no_delete")
	return f.dir, raw
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func verifyAudit(t *testing.T, dir string) error {
	t.Helper()
	db, err := storage.Open(dir, testOptions(newClock()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.VerifyAudit()
}

func TestVerifyAudit(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		wantRow int64
	}{
		{"edit detail", "UPDATE audit SET detail = 'nothing happened' WHERE id = 4", 4},
		{"edit kind", "UPDATE audit SET kind = 'test.other' WHERE id = 1", 1},
		{"edit time", "UPDATE audit SET at = at + 1 WHERE id = 7", 7},
		{"edit content and hash", "UPDATE audit SET detail = 'x', hash = zeroblob(32) WHERE id = 5", 5},
		{"edit a link", "UPDATE audit SET prev_hash = zeroblob(32) WHERE id = 8", 8},
		{"delete a row", "DELETE FROM audit WHERE id = 6", 6},
		{"delete the first row", "DELETE FROM audit WHERE id = 1", 1},
		{"delete the last rows", "DELETE FROM audit WHERE id >= 9", 9},
		{"delete every row", "DELETE FROM audit", 1},
		{"reorder by swapping IDs", "UPDATE audit SET id = -3 WHERE id = 3; UPDATE audit SET id = 3 WHERE id = 4; UPDATE audit SET id = 4 WHERE id = -3", 3},
		{"reorder by swapping content", `UPDATE audit SET (at, kind, subject, detail, prev_hash, hash) =
			(SELECT at, kind, subject, detail, prev_hash, hash FROM audit a2 WHERE a2.id = CASE audit.id WHEN 5 THEN 6 ELSE 5 END)
			WHERE id IN (5, 6)`, 5},
		{"move a row to the end", "UPDATE audit SET id = 100 WHERE id = 2", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, raw := auditFixture(t, 10)
			mustExec(t, raw, tc.tamper)
			err := verifyAudit(t, dir)
			var ae *storage.AuditError
			if !errors.As(err, &ae) || !errors.Is(err, storage.ErrTampered) {
				t.Fatalf("VerifyAudit = %v, want an *AuditError", err)
			}
			if ae.Row != tc.wantRow {
				t.Errorf("VerifyAudit names row %d (%v), want row %d", ae.Row, err, tc.wantRow)
			}
		})
	}
}

func TestAuditAppendOnly(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "confirmed", At: f.clock.Now(), Actor: "participant"})
	f.db.Close()
	raw, _ := sql.Open("sqlite", storage.DSN(f.dir))
	defer raw.Close()
	if _, err := raw.Exec("UPDATE consent_events SET kind = 'declined'"); err == nil {
		t.Error("UPDATE on consent_events allowed")
	}
	if _, err := raw.Exec("UPDATE audit SET detail = 'x'"); err == nil {
		t.Error("UPDATE on audit allowed")
	}
	if _, err := raw.Exec("DELETE FROM audit"); err == nil {
		t.Error("DELETE on audit allowed")
	}
	if _, err := raw.Exec("DELETE FROM consent_events"); err == nil {
		t.Error("DELETE on consent_events allowed")
	}
}

func TestAuditAfterTailRemovedKeepsGap(t *testing.T) {
	dir, raw := auditFixture(t, 5)
	mustExec(t, raw, "DELETE FROM audit WHERE id = 5")
	db := openDB(t, dir, newClock())
	db.Audit("test.event", "after the removal")
	var ae *storage.AuditError
	if err := db.VerifyAudit(); !errors.As(err, &ae) || ae.Row != 5 {
		t.Errorf("VerifyAudit = %v, want row 5 missing", err)
	}
}

func TestAuditLog(t *testing.T) {
	f := newVault(t)
	f.db.AuditAbout(storage.AuditRecordingExported, "0123456789abcdef0123456789abcdef", "to supervisor")
	all, err := f.db.AuditLog(0, 100, "")
	if err != nil || len(all) != 3 || all[0].Kind != storage.AuditVaultCreated || all[1].Kind != storage.AuditAnchored || all[2].Subject == "" {
		t.Fatalf("AuditLog = %+v, %v", all, err)
	}
	id, hash, err := f.db.AuditHead()
	if err != nil || id != 3 || len(hash) != 32 {
		t.Errorf("AuditHead = %d, %x, %v", id, hash, err)
	}
	if short, err := f.db.AuditHeadShort(); err != nil || short != fmt.Sprintf("#3 %x", hash[:4]) {
		t.Errorf("AuditHeadShort = %q, %v", short, err)
	}
	if !all[2].At.Equal(f.clock.Now()) {
		t.Errorf("At = %v, want the injected clock's %v", all[2].At, f.clock.Now())
	}
}
