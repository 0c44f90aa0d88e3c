package storage_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
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
	// Every chunk start, every chunk end, and a few positions inside, in a
	// scrambled order.
	var offsets []int64
	for c := int64(0); c <= int64(len(want))/testChunk; c++ {
		offsets = append(offsets, c*testChunk, c*testChunk+testChunk-1, c*testChunk+testChunk/2)
	}
	for i := range offsets {
		j := (i * 7919) % len(offsets)
		offsets[i], offsets[j] = offsets[j], offsets[i]
	}
	buf := make([]byte, 3*testChunk)
	for _, off := range offsets {
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		n, err := io.ReadFull(r, buf)
		wantN := min(int64(len(buf)), max(0, int64(len(want))-off))
		if int64(n) != wantN || (err != nil && err != io.ErrUnexpectedEOF && err != io.EOF) {
			t.Fatalf("read at %d: %d, %v; want %d bytes", off, n, err, wantN)
		}
		if !bytes.Equal(buf[:n], want[min(off, int64(len(want))):min(off+int64(n), int64(len(want)))]) {
			t.Fatalf("read at %d: wrong bytes", off)
		}
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to -1 succeeded")
	}
	if pos, err := r.Seek(-5, io.SeekEnd); err != nil || pos != int64(len(want))-5 {
		t.Errorf("Seek(-5, End) = %d, %v", pos, err)
	}
	if pos, err := r.Seek(2, io.SeekCurrent); err != nil || pos != int64(len(want))-3 {
		t.Errorf("Seek(2, Current) = %d, %v", pos, err)
	}
}

// tamperable writes a recording of n chunks and returns its ID, its path and
// its plaintext.
func tamperable(t *testing.T, f *fixture, segment int, seed uint64) (id, path string, plain []byte) {
	t.Helper()
	s := f.session(t)
	plain = randomBytes(4*testChunk+testChunk/2, seed)
	id = f.record(t, s.ID, segment, plain)
	return id, storage.RecordingPath(f.db, id), plain
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
	got, err := io.ReadAll(r)
	if !bytes.Equal(got, plain[:min(len(got), len(plain))]) {
		t.Fatalf("reader returned %d bytes that differ from what was written", len(got))
	}
	if err == nil && len(got) != len(plain) {
		t.Fatalf("reader returned %d bytes without error, want %d", len(got), len(plain))
	}
	return err
}

func TestTamperFlipAnyByte(t *testing.T) {
	f := newVault(t)
	id, path, plain := tamperable(t, f, 1, 1)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range orig {
		b := bytes.Clone(orig)
		b[i] ^= 0x01 << (i % 8)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		err := readChecked(t, f, id, plain)
		if !errors.Is(err, storage.ErrTampered) && !errors.Is(err, storage.ErrTruncated) && !errors.Is(err, storage.ErrUnsupportedFormat) {
			t.Fatalf("flipping byte %d: err = %v, want ErrTampered", i, err)
		}
	}
}

func TestTamperSwapChunks(t *testing.T) {
	f := newVault(t)
	id, path, plain := tamperable(t, f, 1, 2)
	b, _ := os.ReadFile(path)
	fs := storage.FrameSize(testChunk)
	c1 := bytes.Clone(b[storage.HeaderSize+fs : storage.HeaderSize+2*fs])
	c2 := bytes.Clone(b[storage.HeaderSize+2*fs : storage.HeaderSize+3*fs])
	copy(b[storage.HeaderSize+fs:], c2)
	copy(b[storage.HeaderSize+2*fs:], c1)
	os.WriteFile(path, b, 0o600)
	if err := readChecked(t, f, id, plain); !errors.Is(err, storage.ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
}

func TestTamperDropFinalChunk(t *testing.T) {
	f := newVault(t)
	id, path, plain := tamperable(t, f, 1, 3)
	b, _ := os.ReadFile(path)
	fs := storage.FrameSize(testChunk)
	full := (int64(len(b)) - storage.HeaderSize) / fs
	os.WriteFile(path, b[:storage.HeaderSize+full*fs], 0o600)
	if err := readChecked(t, f, id, plain); !errors.Is(err, storage.ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	// Dropping more than the final chunk is truncation too.
	os.WriteFile(path, b[:storage.HeaderSize+2*fs], 0o600)
	if err := readChecked(t, f, id, plain); !errors.Is(err, storage.ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	// And cutting in the middle of a chunk.
	os.WriteFile(path, b[:len(b)-5], 0o600)
	if err := readChecked(t, f, id, plain); !errors.Is(err, storage.ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
}

func TestTamperSpliceFromAnotherRecording(t *testing.T) {
	f := newVault(t)
	id1, path1, plain1 := tamperable(t, f, 1, 4)
	_, path2, _ := tamperable(t, f, 1, 5)
	b1, _ := os.ReadFile(path1)
	b2, _ := os.ReadFile(path2)
	fs := storage.FrameSize(testChunk)
	for _, tc := range []struct {
		name     string
		from, to int64 // chunk indexes
	}{{"same position", 1, 1}, {"other position", 2, 0}, {"final chunk", 4, 4}} {
		b := bytes.Clone(b1)
		src := b2[storage.HeaderSize+tc.from*fs:]
		dst := b[storage.HeaderSize+tc.to*fs:]
		copy(dst, src[:min(fs, int64(len(src)), int64(len(dst)))])
		os.WriteFile(path1, b, 0o600)
		if err := readChecked(t, f, id1, plain1); !errors.Is(err, storage.ErrTampered) {
			t.Errorf("%s: err = %v, want ErrTampered", tc.name, err)
		}
	}
	// A whole file of another recording in place of this one.
	os.WriteFile(path1, b2, 0o600)
	if err := readChecked(t, f, id1, plain1); !errors.Is(err, storage.ErrTampered) {
		t.Errorf("whole file: err = %v, want ErrTampered", err)
	}
}

func TestTamperLengthPrefix(t *testing.T) {
	f := newVault(t)
	id, path, plain := tamperable(t, f, 1, 6)
	b, _ := os.ReadFile(path)
	binary.BigEndian.PutUint32(b[storage.HeaderSize:], 0xffffffff)
	os.WriteFile(path, b, 0o600)
	if err := readChecked(t, f, id, plain); !errors.Is(err, storage.ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
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
	f.clock.Advance(90 * time.Second)
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
	f.clock.Advance(time.Minute)
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
	entries, _ := os.ReadDir(f.dir + "/recordings")
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
	entries, _ := os.ReadDir(filepath.Join(f.dir, storage.RecordingsDir))
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
		f.db.SaveNotes(s.ID, "notes while recording", nil)
	}
	if err := f.db.DeleteNow(w.ID(), "client asked"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("writer stopped with %v, want ErrDeleted", err)
	}
}
