package storage_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// withdrawal is a consent event as package session stores a client's
// "delete all": data opaque to storage.
func (f *fixture) withdrawal(sessionID string, seq int) storage.ConsentEvent {
	return storage.ConsentEvent{SessionID: sessionID, Seq: seq, Kind: "withdraw", At: f.clock.Now(),
		Actor: "participant", Participant: "p1", Data: []byte(`{"kind":"withdraw"}`), WithdrawDeleteAll: true}
}

// journal lists the owed journal's files.
func journal(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, storage.OwedDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestOwedDeleteAll(t *testing.T) {
	f := newVault(t)
	ss := f.session(t)
	data := randomBytes(1000, 1)
	id := f.record(t, ss.ID, 1, data)
	playing, err := f.db.OpenRecording(id)
	if err != nil {
		t.Fatal(err)
	}
	defer playing.Close()

	if err := f.db.OweConsentEvent(f.withdrawal(ss.ID, 1)); err != nil {
		t.Fatalf("OweConsentEvent: %v", err)
	}
	t.Run("ErrOwed", func(t *testing.T) {
		if owed, err := f.db.RecordingOwed(id); !owed || err != nil {
			t.Errorf("RecordingOwed: %v, %v", owed, err)
		}
		if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("OpenRecording: %v, want ErrOwed", err)
		}
		if _, err := io.ReadAll(playing); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("a reader open before: %v, want ErrOwed", err)
		}
		if _, err := f.db.NewRecording(ss.ID, 2, f.deleteOn(), nil); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("NewRecording in a session that owes steps: %v, want ErrOwed", err)
		}
		f.db.Lock()
		if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("OpenRecording, locked: %v, want ErrOwed", err)
		}
	})
	if st, err := f.db.Status(); err != nil || st.Owed != 1 {
		t.Errorf("Status: %+v, %v; want 1 owed", st, err)
	}

	f.reopen(t) // the next start finishes it, without the passphrase
	rec, err := f.db.Recording(id)
	if err != nil || rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonWithdrawn {
		t.Fatalf("after Open: %+v, %v", rec, err)
	}
	if names := journal(t, f.dir); len(names) != 0 {
		t.Errorf("left in the journal: %v", names)
	}
	if owed, err := f.db.RecordingOwed(id); owed || err != nil {
		t.Errorf("RecordingOwed once finished: %v, %v", owed, err)
	}
	if err := f.db.Unlock(testPass); err != nil { // owed while unlocked: sealed
		t.Fatal(err)
	}
	evs, err := f.db.ConsentEvents(ss.ID)
	if err != nil || len(evs) != 1 || evs[0].Seq != 1 || !evs[0].WithdrawDeleteAll {
		t.Errorf("stored events %+v, %v", evs, err)
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Error(err)
	}
}

// TestOwedFinishedTwice: an owed event already stored (a commit whose
// answer was lost, another process finishing first) is skipped; one that
// is not the event stored at its place is refused, and nothing is stored
// past it.
func TestOwedFinishedTwice(t *testing.T) {
	f := newVault(t)
	ss := f.session(t)
	ev := f.withdrawal(ss.ID, 1)
	ev.WithdrawDeleteAll = false
	if _, err := f.db.AppendConsentEvent(ev); err != nil {
		t.Fatal(err)
	}
	if err := f.db.OweConsentEvent(ev); err != nil {
		t.Fatal(err)
	}
	if owing, err := f.db.FinishOwed(ss.ID); owing || err != nil {
		t.Fatalf("FinishOwed of a stored event: %v, %v", owing, err)
	}
	if evs, _ := f.db.ConsentEvents(ss.ID); len(evs) != 1 {
		t.Errorf("stored twice: %+v", evs)
	}

	other := ev
	other.Kind = "pause"
	if err := f.db.OweConsentEvent(other); err != nil {
		t.Fatal(err)
	}
	if owing, err := f.db.FinishOwed(ss.ID); !owing || !errors.Is(err, storage.ErrOwed) {
		t.Errorf("FinishOwed of a different event at a stored place: %v, %v; want ErrOwed", owing, err)
	}
	next := ev
	next.Seq, next.Kind = 0, "end"
	if _, err := f.db.AppendConsentEvent(next); !errors.Is(err, storage.ErrOwed) {
		t.Errorf("AppendConsentEvent behind a journal that does not fit: %v, want ErrOwed", err)
	}
	if evs, _ := f.db.ConsentEvents(ss.ID); len(evs) != 1 {
		t.Errorf("stored past the owed event: %+v", evs)
	}
}

// TestOwedUnreadable: a journal item that cannot be read refuses what its
// session might owe, and nothing else.
func TestOwedUnreadable(t *testing.T) {
	f := newVault(t)
	ss := f.session(t)
	id := f.record(t, ss.ID, 1, randomBytes(100, 2))
	ss2 := f.session(t)
	other := f.record(t, ss2.ID, 1, randomBytes(100, 2))
	dir := filepath.Join(f.dir, storage.OwedDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ss.ID+".1.event"), []byte(`{"version":2}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrOwed) {
		t.Errorf("OpenRecording: %v, want ErrOwed", err)
	}
	if _, err := f.db.AppendConsentEvent(f.withdrawal(ss.ID, 0)); !errors.Is(err, storage.ErrOwed) {
		t.Errorf("AppendConsentEvent: %v, want ErrOwed", err)
	}
	if got := f.readAll(t, other); len(got) != 100 {
		t.Errorf("another session's recording: %d bytes", len(got))
	}
}

// TestOwedCut: a cut fixed when chosen is done as chosen: its whole
// recordings deleted at the next Open, the one it cuts short at Unlock,
// and neither can be played before.
func TestOwedCut(t *testing.T) {
	f := newVault(t)
	ss := f.session(t)
	data := randomBytes(1000, 1)
	a := f.record(t, ss.ID, 1, data)
	b := f.record(t, ss.ID, 2, randomBytes(500, 3))
	cut := storage.Cut{SessionID: ss.ID, Seq: 1, Delete: []string{b}, Trim: a, Keep: 300, Reason: "the client chose to delete the last 5 minutes"}
	if err := f.db.OweCut(cut); err != nil {
		t.Fatal(err)
	}
	f.db.Lock()
	for _, id := range []string{a, b} {
		if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("OpenRecording %s: %v, want ErrOwed", id, err)
		}
	}
	f.reopen(t)
	if rec, _ := f.db.Recording(b); rec.State != storage.StateDeleted {
		t.Errorf("after Open, the recording deleted whole is %s", rec.State)
	}
	if _, cuts, err := f.db.Owed(ss.ID); err != nil || len(cuts) != 1 {
		t.Fatalf("after Open, owed cuts %+v, %v; want the cut short still owed", cuts, err)
	}
	if _, err := f.db.OpenRecording(a); !errors.Is(err, storage.ErrOwed) {
		t.Errorf("OpenRecording before Unlock: %v, want ErrOwed", err)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if got := f.readAll(t, a); !bytes.Equal(got, data[:300]) {
		t.Errorf("after Unlock: %d bytes, want the first 300", len(got))
	}
	if names := journal(t, f.dir); len(names) != 0 {
		t.Errorf("left in the journal: %v", names)
	}
}

// TestOwedHoldsNoNames: an event owed while the vault is unlocked is
// journaled sealed, as the database keeps it, and reads back as given
// once stored.
func TestOwedHoldsNoNames(t *testing.T) {
	f := newVault(t)
	ss := f.session(t)
	ev := f.withdrawal(ss.ID, 1)
	ev.Kind, ev.WithdrawDeleteAll = "join", false
	ev.Data = []byte(`{"kind":"join","joiner":{"name":"Margaret Oyelaran"}}`)
	if err := f.db.OweConsentEvent(ev); err != nil {
		t.Fatal(err)
	}
	for _, name := range journal(t, f.dir) {
		b, err := os.ReadFile(filepath.Join(f.dir, storage.OwedDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "Margaret") {
			t.Errorf("%s holds the name: %s", name, b)
		}
	}
	if _, err := f.db.FinishOwed(ss.ID); err != nil {
		t.Fatal(err)
	}
	evs, err := f.db.ConsentEvents(ss.ID)
	if err != nil || len(evs) != 1 || !bytes.Equal(evs[0].Data, ev.Data) {
		t.Errorf("stored %+v, %v; want the data as given", evs, err)
	}
}
