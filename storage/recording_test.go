package storage_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
	"github.com/assent-recorder/assent/storage/internal/recfile"
	"github.com/assent-recorder/assent/storage/internal/testtools"
)

func TestRecordingRoundTrip(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	sizes := []int{0, 1, testChunk - 1, testChunk, testChunk + 1, 2 * testChunk, 37*testChunk + 5, 100 * testChunk}
	for i, n := range sizes {
		want := randomBytes(n, uint64(n))
		id := f.record(t, s.ID, i+1, want)
		equalBytes(t, f.readAll(t, id), want)
		rec, err := f.db.Recording(id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.State != storage.StateComplete || rec.Bytes != int64(n) {
			t.Errorf("size %d: state %s, bytes %d", n, rec.State, rec.Bytes)
		}
	}
}

func TestRecordingWritesInOddPieces(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := randomBytes(20*testChunk+13, 7)
	w := f.startRecording(t, s.ID, 1)
	for rest, k := want, 1; len(rest) > 0; k = k%97 + 1 {
		k := min(k, len(rest))
		if n, err := w.Write(rest[:k]); err != nil || n != k {
			t.Fatalf("Write(%d) = %d, %v", k, n, err)
		}
		rest = rest[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, w.ID()), want)
}

// Seeking through storage: the size, and a bad position refused as
// ErrInvalid (internal/recfile tests every position).
func TestRecordingSeek(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := randomBytes(10*testChunk+17, 3)
	id := f.record(t, s.ID, 1, want)
	r, err := f.db.OpenRecording(id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if end, err := r.Seek(0, io.SeekEnd); err != nil || end != int64(len(want)) {
		t.Fatalf("Seek(0, End) = %d, %v; want %d", end, err, len(want))
	}
	if _, err := r.Seek(3*testChunk+5, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	equalBytes(t, rest, want[3*testChunk+5:])
	if _, err := r.Seek(-1, io.SeekStart); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("Seek to -1: %v, want ErrInvalid", err)
	}
}

// A damaged file reads as storage's errors, whichever way it is damaged
// (internal/recfile tests every kind of damage against the format's own
// errors); no byte that was not written comes out.
func TestTamperedRecording(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	plain := randomBytes(4*testChunk+testChunk/2, 1)
	id := f.record(t, s.ID, 1, plain)
	path := storage.RecordingPath(f.db, id)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(storage.RecordingPath(f.db, f.record(t, s.ID, 2, plain)))
	if err != nil {
		t.Fatal(err)
	}
	fs := recfile.FrameSize(testChunk)
	for _, c := range []struct {
		name string
		file func() []byte
		want error
	}{
		{"a bit flipped in a chunk", func() []byte { b := bytes.Clone(orig); b[recfile.HeaderSize+fs+9] ^= 4; return b }, storage.ErrTampered},
		{"the final chunk dropped", func() []byte { return orig[:recfile.HeaderSize+4*fs] }, storage.ErrTruncated},
		{"another recording's file", func() []byte { return other }, storage.ErrTampered},
		{"a newer format version", func() []byte { b := bytes.Clone(orig); b[9] = 2; return b }, storage.ErrUnsupportedFormat},
	} {
		if err := os.WriteFile(path, c.file(), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := readChecked(t, f, id, plain); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.db.VerifyRecording(id); err != nil {
		t.Errorf("the file put back: %v", err)
	}
}

// readChecked opens and reads a recording, returning the error if any; it
// fails the test if wrong bytes come out.
func readChecked(t *testing.T, f *fixture, id string, plain []byte) error {
	t.Helper()
	r, err := f.db.OpenRecording(id)
	if err != nil {
		return err
	}
	defer r.Close()
	return testtools.ReadChecked(t, r, plain)
}

func TestRecordingNeedsUnlock(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(300, 1))
	r, err := f.db.OpenRecording(id)
	if err != nil {
		t.Fatal(err)
	}
	f.db.Lock()
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("Read after Lock: %v, want ErrLocked", err)
	}
	if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("OpenRecording while locked: %v, want ErrLocked", err)
	}
	if _, err := f.db.NewRecording(s.ID, 2, f.deleteOn(), nil); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("NewRecording while locked: %v, want ErrLocked", err)
	}
}

func TestLockDoesNotStopRecording(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := randomBytes(5*testChunk, 9)
	w := f.startRecording(t, s.ID, 1)
	w.Write(want[:100])
	f.db.Lock()
	w.Write(want[100:])
	if err := w.Close(); err != nil {
		t.Fatalf("Close after Lock: %v", err)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, w.ID()), want)
}

func TestNewRecordingRefusals(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	if _, err := f.db.NewRecording(s.ID, 1, f.clock.Now(), nil); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("deletion date now: %v, want ErrInvalid", err)
	}
	if _, err := f.db.NewRecording("0123456789abcdef0123456789abcdef", 1, f.deleteOn(), nil); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown session: %v, want ErrNotFound", err)
	}
	f.record(t, s.ID, 1, nil)
	if _, err := f.db.NewRecording(s.ID, 1, f.deleteOn(), nil); err == nil {
		t.Error("segment used twice")
	}
	f.db.EndSession(s.ID)
	if _, err := f.db.NewRecording(s.ID, 2, f.deleteOn(), nil); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("ended session: %v, want ErrInvalid", err)
	}
	if _, err := f.db.OpenRecording("../../etc/passwd"); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("path as ID: %v, want ErrInvalid", err)
	}
}

func TestRecordingMetadata(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	w := f.startRecording(t, s.ID, 1)
	w.Write(randomBytes(1000, 1))
	f.clock.Add(90 * time.Second)
	w.SetPeaks(storage.Peaks{Interval: 100 * time.Millisecond, Levels: []byte{0, 10, 255, 7}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := f.db.Recording(w.ID())
	if err != nil {
		t.Fatal(err)
	}
	if rec.Duration != 90*time.Second || rec.Bytes != 1000 || !rec.HasPeaks || rec.Purposes[0] != "reflection" || rec.Segment != 1 {
		t.Errorf("recording = %+v", rec)
	}
	p, err := f.db.Peaks(w.ID())
	if err != nil || p.Interval != 100*time.Millisecond || !bytes.Equal(p.Levels, []byte{0, 10, 255, 7}) {
		t.Errorf("Peaks = %+v, %v", p, err)
	}
	if err := f.db.SavePeaks(w.ID(), storage.Peaks{Interval: time.Second, Levels: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.db.Peaks(w.ID()); p.Interval != time.Second || len(p.Levels) != 1 {
		t.Errorf("Peaks after SavePeaks = %+v", p)
	}
	f.readAll(t, w.ID())
	f.readAll(t, w.ID())
	if rec, _ := f.db.Recording(w.ID()); rec.Plays != 2 {
		t.Errorf("Plays = %d, want 2", rec.Plays)
	}
	if err := f.db.VerifyRecording(w.ID()); err != nil {
		t.Errorf("VerifyRecording: %v", err)
	}
	if rec, _ := f.db.Recording(w.ID()); rec.Plays != 2 {
		t.Errorf("VerifyRecording counted a play")
	}
	recs, err := f.db.Recordings(s.ID)
	if err != nil || len(recs) != 1 || recs[0].ID != w.ID() {
		t.Errorf("Recordings = %v, %v", recs, err)
	}
}

func TestDeleteNow(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(500, 1))
	path := storage.RecordingPath(f.db, id)
	r, _ := f.db.OpenRecording(id)
	f.clock.Add(time.Minute)
	if err := f.db.DeleteNow(id, "deleted by therapist"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("open reader after delete: %v, want ErrDeleted", err)
	}
	if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("OpenRecording: %v, want ErrDeleted", err)
	}
	rec, _ := f.db.Recording(id)
	if rec.State != storage.StateDeleted || rec.DeleteReason != "deleted by therapist" || !rec.DeletedAt.Equal(f.clock.Now()) || rec.HasPeaks {
		t.Errorf("tombstone = %+v", rec)
	}
	if err := f.db.DeleteNow(id, "again"); err != nil {
		t.Errorf("second DeleteNow: %v", err)
	}
	if rec, _ := f.db.Recording(id); rec.DeleteReason != "deleted by therapist" {
		t.Errorf("second DeleteNow changed the tombstone: %+v", rec)
	}
	if err := f.db.DeleteNow("0123456789abcdef0123456789abcdef", "x"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown: %v, want ErrNotFound", err)
	}
}

func TestDeleteWhileWriting(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	w := f.startRecording(t, s.ID, 1)
	w.Write(randomBytes(3*testChunk, 1))
	if err := w.Abort("client chose delete all"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("more")); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("Write after delete: %v, want ErrDeleted", err)
	}
	if err := w.Close(); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("Close after delete: %v, want ErrDeleted", err)
	}
	entries := recordingFiles(t, f.dir)
	if len(entries) != 0 {
		t.Errorf("recordings/ holds %d files", len(entries))
	}
}

func TestWithdrawDeleteAll(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	at := f.clock.Now()
	if _, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "confirmed", At: at, Actor: "participant", Participant: "Alex"}); err != nil {
		t.Fatal(err)
	}
	done := f.record(t, s.ID, 1, randomBytes(300, 1))
	live := f.startRecording(t, s.ID, 2)
	live.Write(randomBytes(200, 2))

	ev, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "withdrawn", At: at, Actor: "participant",
		Participant: "Alex", Data: []byte(`{"choice":"delete_all"}`), WithdrawDeleteAll: true})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Seq != 2 {
		t.Errorf("Seq = %d, want 2", ev.Seq)
	}
	for _, id := range []string{done, live.ID()} {
		rec, _ := f.db.Recording(id)
		if rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonWithdrawn {
			t.Errorf("recording %s after withdrawal: %s %q", id, rec.State, rec.DeleteReason)
		}
	}
	if _, err := live.Write([]byte("x")); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("writer after withdrawal: %v, want ErrDeleted", err)
	}
	// A fresh confirmation may start a new recording, which the earlier
	// withdrawal does not touch, not even after a reopen.
	f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "confirmed", At: at, Actor: "participant"})
	later := f.record(t, s.ID, 3, randomBytes(100, 3))
	f.reopen(t)
	if rec, _ := f.db.Recording(later); rec.State != storage.StateComplete {
		t.Errorf("later recording: %s", rec.State)
	}
	if err := f.db.Unlock(testPass); err != nil { // event data is sealed at rest
		t.Fatal(err)
	}
	evs, err := f.db.ConsentEvents(s.ID)
	if err != nil || len(evs) != 3 || !evs[1].WithdrawDeleteAll || string(evs[1].Data) != `{"choice":"delete_all"}` {
		t.Errorf("ConsentEvents = %+v, %v", evs, err)
	}
}

func TestConsentEventSequence(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	ev := storage.ConsentEvent{SessionID: s.ID, Kind: "confirmed", At: f.clock.Now(), Actor: "participant"}
	if _, err := f.db.AppendConsentEvent(ev); err != nil {
		t.Fatal(err)
	}
	ev.Seq = 1
	if _, err := f.db.AppendConsentEvent(ev); !errors.Is(err, storage.ErrConsentSeq) {
		t.Errorf("replayed seq: %v, want ErrConsentSeq", err)
	}
	ev.Seq = 3
	if _, err := f.db.AppendConsentEvent(ev); !errors.Is(err, storage.ErrConsentSeq) {
		t.Errorf("gap: %v, want ErrConsentSeq", err)
	}
	ev.Seq = 2
	if _, err := f.db.AppendConsentEvent(ev); err != nil {
		t.Errorf("next seq: %v", err)
	}
	ev.Seq, ev.SessionID = 0, "0123456789abcdef0123456789abcdef"
	if _, err := f.db.AppendConsentEvent(ev); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown session: %v, want ErrNotFound", err)
	}
}

func TestCloseFinishesOpenRecordings(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := randomBytes(3*testChunk+7, 21)
	w := f.startRecording(t, s.ID, 1)
	w.Write(want)
	f.reopen(t)
	if rec, _ := f.db.Recording(w.ID()); rec.State != storage.StateComplete || rec.Bytes != int64(len(want)) {
		t.Fatalf("after Close: %s, %d bytes", rec.State, rec.Bytes)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Write after DB Close: %v, want ErrClosed", err)
	}
	f.db.Unlock(testPass)
	equalBytes(t, f.readAll(t, w.ID()), want)
}

func TestDeleteAfter(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	plain := randomBytes(10*testChunk, 31)
	w := f.startRecording(t, s.ID, 1)
	w.Write(plain)
	w.SetPeaks(storage.Peaks{Interval: time.Second, Levels: make([]byte, 100)})
	w.SetDuration(100 * time.Second)
	w.Close()
	id := w.ID()
	oldPath := storage.RecordingPath(f.db, id)
	oldKey := storage.WrappedKey(f.db, id)

	keep := int64(3*testChunk + testChunk/2)
	if err := f.db.DeleteAfter(id, keep, "client asked to delete the last minutes"); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, id), plain[:keep])
	rec, _ := f.db.Recording(id)
	if rec.Bytes != keep || rec.Duration != 35*time.Second || rec.State != storage.StateComplete {
		t.Errorf("after trim: %+v", rec)
	}
	if p, err := f.db.Peaks(id); err != nil || len(p.Levels) != 35 {
		t.Errorf("peaks after trim: %d levels, %v", len(p.Levels), err)
	}
	if _, err := os.Stat(oldPath); !os.IsNotExist(err) {
		t.Errorf("old file still there: %v", err)
	}
	if where := filesContaining(t, f.dir, oldKey); len(where) > 0 {
		t.Errorf("old wrapped key still in %v", where)
	}
	entries := recordingFiles(t, f.dir)
	if len(entries) != 1 {
		t.Errorf("%d files in recordings/", len(entries))
	}
	log, _ := f.db.AuditLog(0, 100, id)
	trimmed := false
	for _, e := range log {
		trimmed = trimmed || e.Kind == storage.AuditRecordingTrimmed
	}
	if !trimmed {
		t.Errorf("no %s audit row", storage.AuditRecordingTrimmed)
	}

	if err := f.db.DeleteAfter(id, 1<<20, "nothing to do"); err != nil {
		t.Errorf("keep beyond the end: %v", err)
	}
	live := f.startRecording(t, s.ID, 2)
	if err := f.db.DeleteAfter(live.ID(), 1, "x"); !errors.Is(err, storage.ErrNotFinished) {
		t.Errorf("while recording: %v", err)
	}
	live.Close()
	f.db.Lock()
	if err := f.db.DeleteAfter(id, 10, "x"); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("locked: %v", err)
	}
	if err := f.db.DeleteAfter(id, 0, "all of it"); err != nil {
		t.Fatal(err)
	}
	if rec, _ := f.db.Recording(id); rec.State != storage.StateDeleted {
		t.Errorf("keep 0: %s", rec.State)
	}
}

// The audio goroutine writes while the UI goroutine locks, unlocks, plays
// other recordings and finally deletes this one. Run with -race.
func TestConcurrentUse(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	other := f.record(t, s.ID, 1, randomBytes(10*testChunk, 41))
	w := f.startRecording(t, s.ID, 2)
	done := make(chan error)
	go func() {
		chunk := randomBytes(testChunk/3, 42)
		for {
			if _, err := w.Write(chunk); err != nil {
				done <- err
				return
			}
		}
	}()
	for i := 0; i < 5; i++ {
		f.db.Lock()
		if err := f.db.Unlock(testPass); err != nil {
			t.Fatal(err)
		}
		f.readAll(t, other)
		f.db.Recordings(s.ID)
		f.db.SaveNotes(s.ID, storage.Notes{Text: "notes while recording"})
	}
	if err := f.db.DeleteNow(w.ID(), "client asked"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("writer stopped with %v, want ErrDeleted", err)
	}
}
