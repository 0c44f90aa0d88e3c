package proof_test

import (
	"bytes"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// These trials break one thing during a recording and check DESIGN.md's
// "Failure behaviour": the recording stops, what was captured before the
// fault is sealed and kept and plays, and the database stays consistent
// (the audit chain verifies).

// recordSession starts a session, gets Anna's yes and opens a recording,
// as the app does before audio.Start.
func recordSession(t *testing.T, db *storage.DB, clientID string) (*consentRun, consent.Grant, *storage.RecordingWriter) {
	t.Helper()
	run, err := beginSession(db, clientID)
	if err != nil {
		t.Fatal(err)
	}
	g, err := run.askAndConfirm()
	if err != nil {
		t.Fatal(err)
	}
	w, err := run.newRecording(g)
	if err != nil {
		t.Fatal(err)
	}
	return run, g, w
}

// fastMic reads the fixture as fast as the pipeline takes it, n times over.
func fastMic(pcm []byte, n int) audio.PCMMic {
	return audio.PCMMic{R: bytes.NewReader(bytes.Repeat(pcm, n)), Rate: testmic.Rate}
}

// checkKept checks that a recording that ended by a fault is complete,
// authenticates, and plays at least want of audio (minus slack).
func checkKept(t *testing.T, db *storage.DB, id string, want, slack time.Duration) decoded {
	t.Helper()
	rec, err := db.Recording(id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != storage.StateComplete {
		t.Errorf("recording is %s, want complete", rec.State)
	}
	if err := db.VerifyRecording(id); err != nil {
		t.Errorf("VerifyRecording: %v", err)
	}
	mp3, err := readRecording(db, id)
	if err != nil {
		t.Fatalf("reading what was kept: %v", err)
	}
	d, err := decodeMP3(mp3)
	if err != nil {
		t.Fatalf("decoding what was kept: %v", err)
	}
	if d.Duration < want-slack {
		t.Errorf("kept %.2fs of audio, want at least %.2fs", d.Duration.Seconds(), (want - slack).Seconds())
	}
	if d.RMS < 100 {
		t.Errorf("what was kept is silent (RMS %.0f)", d.RMS)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	return d
}

// TestDiskFull: the disk fills part-way through a recording.
func TestDiskFull(t *testing.T) {
	_, pcm := speechPCM(t)

	// The writer below storage fails as write(2) does on a full disk
	// (fullDisk is a fake; see the next subtest for real write errors).
	t.Run("sink fails part-way", func(t *testing.T) {
		dir, clientID := newFolder(t)
		db := openUnlocked(t, dir)
		_, g, w := recordSession(t, db, clientID)
		const limit = 3*storage.DefaultChunkSize + 1000
		sink := &recordingSink{w: &fullDisk{w: w, limit: limit}}
		rec, err := audio.Start(g, fastMic(pcm, 2), sink, audioOptions())
		if err != nil {
			t.Fatal(err)
		}
		end := rec.Wait()
		if end.Reason != audio.EndSinkFailed || !errors.Is(end.Err, errDiskFull) {
			t.Fatalf("end: %v; want %v with the disk-full error", end, audio.EndSinkFailed)
		}
		if err := sink.seal(w, end); err != nil {
			t.Fatalf("sealing what was kept: %v", err)
		}
		// Kept is exact to within the encoder's look-ahead (audio.End);
		// decodeMP3 also takes LAME's delay off, and the last MP3 frame
		// (36 ms at 16 kHz) may be cut: 150 ms covers both.
		d := checkKept(t, db, w.ID(), end.Kept, 150*time.Millisecond)
		r, _ := db.Recording(w.ID())
		if r.Bytes < end.Bytes || r.Bytes > limit {
			t.Errorf("storage kept %d bytes; the recorder says %d were accepted, the disk took %d", r.Bytes, end.Bytes, limit)
		}
		t.Logf("%v; sealed %d bytes, plays %.2fs", end, r.Bytes, d.Duration.Seconds())
	})

	// Real write errors: the file size limit (RLIMIT_FSIZE) makes the
	// kernel refuse to grow any file of this process past a size, as a
	// full disk refuses more blocks: storage's own write fails part-way
	// through a chunk, and so do SQLite's writes to its WAL. Nothing is
	// faked above the system call. The limit is lifted afterwards, as
	// freeing space would, and the next unlock must recover the audio.
	t.Run("real write errors", func(t *testing.T) {
		dir, clientID := newFolder(t)
		db := openUnlocked(t, dir)
		_, g, w := recordSession(t, db, clientID)
		id := w.ID()
		var old syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Skipf("getrlimit: %v", err)
		}
		signal.Ignore(syscall.SIGXFSZ) // the write fails with EFBIG instead
		defer signal.Reset(syscall.SIGXFSZ)
		frame := int64(4 + storage.DefaultChunkSize + 16)
		limit := 32 + 3*frame + 500 // three whole chunks, and part of a fourth
		var lift sync.Once
		liftLimit := func() {
			lift.Do(func() {
				if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
					t.Errorf("restoring RLIMIT_FSIZE: %v", err)
				}
			})
		}
		defer liftLimit()
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(limit), Max: old.Max}); err != nil {
			t.Skipf("setrlimit: %v", err)
		}
		sink := &recordingSink{w: w}
		rec, err := audio.Start(g, fastMic(pcm, 2), sink, audioOptions())
		if err != nil {
			liftLimit()
			t.Fatal(err)
		}
		end := rec.Wait()
		sealErr := sink.seal(w, end)
		liftLimit()
		if end.Reason != audio.EndSinkFailed || !errors.Is(end.Err, syscall.EFBIG) {
			t.Errorf("end: %v; want %v with EFBIG", end, audio.EndSinkFailed)
		}
		t.Logf("%v; sealing said: %v", end, sealErr)
		// The disk has room again; the app is started again.
		db.Close()
		db = openUnlocked(t, dir)
		r, err := db.Recording(id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != storage.StateComplete && r.State != storage.StateRecovered {
			t.Fatalf("recording is %s after the next unlock; recovery: %+v", r.State, db.LastRecovery())
		}
		if err := db.VerifyAudit(); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		mp3, err := readRecording(db, id)
		if err != nil {
			t.Fatalf("reading what was kept: %v", err)
		}
		if len(mp3) < 3*storage.DefaultChunkSize {
			t.Errorf("kept %d bytes; the three chunks written before the disk filled are %d", len(mp3), 3*storage.DefaultChunkSize)
		}
		d, err := decodeMP3(mp3)
		if err != nil {
			t.Fatalf("decoding what was kept: %v", err)
		}
		t.Logf("after restart: %s, %d bytes, plays %.2fs", r.State, len(mp3), d.Duration.Seconds())
	})
}

// TestMicrophoneUnplugged: the microphone goes away after 3.3 s. The
// unplugged microphone is a FAKE (unpluggedSource): the ALSA test
// microphone cannot be unplugged.
func TestMicrophoneUnplugged(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	_, g, w := recordSession(t, db, clientID)
	const failAfter = 3*testmic.Rate + testmic.Rate*3/10
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := fastMic(pcm, 1).Open(g)
		if err != nil {
			return nil, err
		}
		return &unpluggedSource{Source: s, failAfter: failAfter}, nil
	})
	sink := &recordingSink{w: w}
	rec, err := audio.Start(g, mic, sink, audioOptions())
	if err != nil {
		t.Fatal(err)
	}
	end := rec.Wait()
	if end.Reason != audio.EndSourceFailed || !errors.Is(end.Err, audio.ErrDeviceLost) {
		t.Fatalf("end: %v; want %v with ErrDeviceLost", end, audio.EndSourceFailed)
	}
	if end.Kept != end.Captured || end.Captured != 3300*time.Millisecond {
		t.Errorf("captured %v, kept %v; want all of 3.3s kept", end.Captured, end.Kept)
	}
	if err := sink.seal(w, end); err != nil {
		t.Fatalf("sealing what was kept: %v", err)
	}
	d := checkKept(t, db, w.ID(), end.Kept, 40*time.Millisecond)
	t.Logf("%v; plays %.2fs", end, d.Duration.Seconds())
}

// TestRecordingsFolderRemoved: someone (a clean-up tool, a sync client)
// deletes recordings/ while a recording is being made. Nothing must panic,
// the database must stay consistent, and the loss must be reported, not
// shown as a good recording.
func TestRecordingsFolderRemoved(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	run, g, w := recordSession(t, db, clientID)
	src := &pacedReader{pcm: pcm, rate: testmic.Rate}
	sink := &recordingSink{w: w}
	rec, err := audio.Start(g, audio.PCMMic{R: src, Rate: testmic.Rate}, sink, audioOptions())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := os.RemoveAll(filepath.Join(dir, storage.RecordingsDir)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	end := rec.Stop()
	sealErr := sink.seal(w, end)
	t.Logf("recorder: %v; sealing: %v", end, sealErr)
	if !errors.Is(sealErr, storage.ErrFileLost) {
		t.Errorf("closing a recording whose file was removed: %v, want storage.ErrFileLost", sealErr)
	}

	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	r, err := db.Recording(w.ID())
	if err != nil {
		t.Fatal(err)
	}
	verr := db.VerifyRecording(w.ID())
	switch {
	case r.State == storage.StateDeleted:
		t.Logf("recording deleted: %s", r.DeleteReason)
	case verr == nil:
		t.Errorf("the recording is %s and verifies, but its file was removed", r.State)
	case !errors.Is(verr, storage.ErrTampered) || !strings.Contains(verr.Error(), "missing"):
		t.Errorf("VerifyRecording = %v; want an error saying the file is missing (ErrTampered)", verr)
	default:
		t.Logf("recording %s; VerifyRecording reports: %v", r.State, verr)
	}
	// The next recording of the session cannot be made in a folder that
	// is gone: a clear error, and nothing half made left in the database.
	if w2, err := run.newRecording(g); err == nil {
		w2.Close()
		t.Logf("a new recording could be made after the folder was removed")
	} else {
		t.Logf("new recording refused: %v", err)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	// The next start makes the folder again and records.
	db.Close()
	db = openUnlocked(t, dir)
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain after restart: %v", err)
	}
	run.db = db
	w3, err := run.newRecording(g)
	if err != nil {
		t.Fatalf("recording after restart: %v", err)
	}
	if _, err := w3.Write(bytes.Repeat([]byte{1}, 100)); err != nil {
		t.Fatal(err)
	}
	if err := w3.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestWrongPassphraseManyTimes: someone tries passphrases at a locked
// laptop. Every try is refused, nothing is decrypted, tries are slowed down
// (RetryError) across restarts, and the audit log counts them; once the
// back-off has passed the right passphrase opens everything, intact.
func TestWrongPassphraseManyTimes(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	run, g, w := recordSession(t, db, clientID)
	sink := &recordingSink{w: w}
	rec, err := audio.Start(g, fastMic(pcm, 1), sink, audioOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.seal(w, rec.Wait()); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveNotes(run.stored.ID, "she spoke about her father", nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	opt := storageOptions()
	opt.Now = clock
	open := func() *storage.DB {
		db, err := storage.Open(dir, opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db = open()
	locked := func(when string) {
		t.Helper()
		if db.Unlocked() {
			t.Fatalf("%s: the vault is unlocked", when)
		}
		if _, err := db.OpenRecording(w.ID()); !errors.Is(err, storage.ErrLocked) {
			t.Errorf("%s: OpenRecording = %v, want ErrLocked", when, err)
		}
		if _, err := db.Notes(run.stored.ID); !errors.Is(err, storage.ErrLocked) {
			t.Errorf("%s: Notes = %v, want ErrLocked", when, err)
		}
	}
	for i := range storage.MaxAttempts {
		if err := db.Unlock("wrong passphrase " + string(rune('a'+i))); !errors.Is(err, storage.ErrWrongPassphrase) {
			t.Fatalf("attempt %d: %v, want ErrWrongPassphrase", i+1, err)
		}
	}
	locked("after 5 wrong passphrases")
	var retry *storage.RetryError
	for i := range 20 {
		err := db.Unlock("wrong again")
		if !errors.As(err, &retry) || retry.Wait <= 0 || !errors.Is(err, storage.ErrTooManyAttempts) {
			t.Fatalf("attempt %d during the back-off: %v, want *RetryError", storage.MaxAttempts+i+1, err)
		}
	}
	// Even the right passphrase is not tried during the back-off.
	if err := db.Unlock(passphrase); !errors.As(err, &retry) {
		t.Fatalf("right passphrase during the back-off: %v, want *RetryError", err)
	}
	locked("during the back-off")
	// Restarting the app does not reset it.
	db.Close()
	db = open()
	if err := db.Unlock(passphrase); !errors.As(err, &retry) {
		t.Fatalf("right passphrase after a restart during the back-off: %v, want *RetryError", err)
	}
	t.Logf("after %d wrong passphrases: %v", storage.MaxAttempts, retry)
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	log, err := db.AuditLog(0, 1000, "")
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, e := range log {
		if e.Kind == storage.AuditUnlockFailed {
			failed++
		}
	}
	if failed != storage.MaxAttempts {
		t.Errorf("audit log has %d failed unlocks, want %d (the refused ones were never tried)", failed, storage.MaxAttempts)
	}

	advance(retry.Wait + time.Second)
	if err := db.Unlock(passphrase); err != nil {
		t.Fatalf("right passphrase after the back-off: %v", err)
	}
	checkKept(t, db, w.ID(), 5*time.Second, 0)
	if n, err := db.Notes(run.stored.ID); err != nil || n.Text != "she spoke about her father" {
		t.Errorf("notes after unlocking: %q, %v", n.Text, err)
	}
}
