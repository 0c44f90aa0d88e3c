package proof_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"

	_ "modernc.org/sqlite"
)

// TestDatabaseBusy: another process (a backup tool, a second Assent) holds
// the database's write lock for longer than Assent waits (busy_timeout,
// 5 s) while a recording is being made. The audio keeps being sealed into
// its file; what needs the database fails with an error, not a hang or a
// panic; and once the lock is gone, nothing agreed is lost: the recording
// is recovered at the next unlock and the audit chain verifies.
func TestDatabaseBusy(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the 5 s busy timeout")
	}
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	run, g, w := recordSession(t, db, clientID)
	id := w.ID()
	sink := &recordingSink{w: w}
	rec, err := audio.Start(g, fastMic(pcm, 2), sink, audioOptions())
	if err != nil {
		t.Fatal(err)
	}
	end := rec.Wait()
	if end.Reason != audio.EndSourceEnded {
		t.Fatalf("recording ended by %v", end)
	}

	// The other process takes the write lock and keeps it.
	other, err := sql.Open("sqlite", "file:"+filepath.Join(dir, storage.DBFile)+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	// Withdrawing needs the database: it fails, clearly, within the
	// busy timeout, and the consent history is not half-written.
	start := time.Now()
	ev := consent.Event{Kind: consent.EventWithdraw, Actor: consent.Therapist(), Withdrawal: consent.WithdrawKeep}
	if _, err := run.apply(ev); err == nil {
		t.Fatal("a consent event was stored while another process held the write lock")
	} else if !strings.Contains(err.Error(), "lock") && !strings.Contains(err.Error(), "busy") {
		t.Errorf("the error does not say the database is busy: %v", err)
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Errorf("waited %v for a busy database", waited)
	}
	// Sealing the recording's last chunk still writes the file; marking
	// the row complete fails.
	closeErr := sink.seal(w, end)
	t.Logf("withdraw while busy: refused; seal while busy: %v", closeErr)

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db.Close()

	// Next start: everything captured is there.
	db = openUnlocked(t, dir)
	defer db.Close()
	if err := db.VerifyAudit(); err != nil {
		t.Fatalf("audit chain after the busy spell: %v", err)
	}
	r, err := db.Recording(id)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != storage.StateComplete && r.State != storage.StateRecovered {
		t.Fatalf("recording is %s after the busy spell", r.State)
	}
	mp3, err := readRecording(db, id)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeMP3(mp3)
	if err != nil {
		t.Fatal(err)
	}
	if d.Duration < end.Kept-time.Second {
		t.Errorf("after the busy spell %.2fs plays of %.2fs kept", d.Duration.Seconds(), end.Kept.Seconds())
	}
	evs, err := db.ConsentEvents(run.stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == "withdraw" {
			t.Error("the refused withdrawal was stored after all")
		}
	}
	if errors.Is(closeErr, storage.ErrTampered) {
		t.Errorf("sealing while busy reported tampering: %v", closeErr)
	}
	t.Logf("recording %s: %s, %.2fs plays (%.2fs kept)", id, r.State, d.Duration.Seconds(), end.Kept.Seconds())
}
