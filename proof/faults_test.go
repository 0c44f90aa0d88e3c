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
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// These trials break one thing during a recording and check DESIGN.md's
// "Failure behaviour": the recording stops, what was captured before the
// fault is sealed and kept and plays, and the database stays consistent
// (the audit chain verifies).

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

// TestDiskFull: the disk fills part-way through a recording. Real write
// errors: the file size limit (RLIMIT_FSIZE) makes the kernel refuse to
// grow any file of this process past a size, as a full disk refuses more
// blocks: storage's own write fails part-way through a chunk, and so do
// SQLite's writes to its WAL. Nothing is faked above the system call. The
// session must stop, say so (KindDiskFailed, with what was kept), and turn
// to notes only; the limit is lifted afterwards, as freeing space would,
// and the next unlock must recover the audio.
func TestDiskFull(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatalf("getrlimit: %v", err)
	}
	signal.Ignore(syscall.SIGXFSZ) // the write fails with EFBIG instead
	defer signal.Reset(syscall.SIGXFSZ)
	frame := int64(4 + storage.DefaultChunkSize + 16) // a sealed chunk on disk (storage/internal/recfile/FORMAT.md)
	var lift sync.Once
	liftLimit := func() {
		lift.Do(func() {
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
				t.Errorf("restoring RLIMIT_FSIZE: %v", err)
			}
		})
	}
	defer liftLimit()
	// A microphone at real time: the limit is set while the recording
	// is under way, three chunks and a bit past its file's size then.
	tr := recordTrial(t, db, clientID, audio.PCMMic{R: &testmic.PacedReader{PCM: pcm}, Rate: testmic.Rate})
	id := tr.recordingID(t)
	files, _ := filepath.Glob(filepath.Join(dir, storage.RecordingsDir, id+"*"))
	if len(files) != 1 {
		t.Fatalf("the recording's files: %v", files)
	}
	fi, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	limit := fi.Size() + 3*frame + 500
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(limit), Max: old.Max}); err != nil {
		t.Fatalf("setrlimit: %v", err)
	}
	p := tr.problem(t, time.Minute)
	liftLimit()
	if p.Kind != session.KindDiskFailed || !errors.Is(p.Err, syscall.EFBIG) {
		t.Errorf("problem %v; want KindDiskFailed with EFBIG", p)
	}
	if tr.Recording() || tr.State() != consent.NotesOnly {
		t.Errorf("after the disk filled: recording %v, state %v; want notes only", tr.Recording(), tr.State())
	}
	t.Logf("the session said: %v (kept %v until %v)", p, p.Kept, p.DeleteOn)
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
	// What the room was told is what plays, to within the encoder's
	// delay and a cut last frame.
	if told := p.Kept; (d.Duration - told).Abs() > 150*time.Millisecond {
		t.Errorf("the room was told %v was kept; %v plays", told, d.Duration)
	}
	t.Logf("after restart: %s, %d bytes, plays %.2fs", r.State, len(mp3), d.Duration.Seconds())
}

// TestMicrophoneUnplugged: the microphone goes away after 3.3 s. The
// unplugged microphone is a FAKE (unpluggedSource): the ALSA test
// microphone cannot be unplugged.
func TestMicrophoneUnplugged(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	const failAfter = 3*testmic.Rate + testmic.Rate*3/10
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := fastMic(pcm, 1).Open(g)
		if err != nil {
			return nil, err
		}
		return &unpluggedSource{Source: s, failAfter: failAfter}, nil
	})
	tr := recordTrial(t, db, clientID, mic)
	id := tr.recordingID(t)
	p := tr.problem(t, time.Minute)
	if p.Kind != session.KindMicrophoneFailed || !errors.Is(p.Err, audio.ErrDeviceLost) {
		t.Fatalf("problem %v; want KindMicrophoneFailed with ErrDeviceLost", p)
	}
	if p.Kept != 3300*time.Millisecond {
		t.Errorf("the room is told %v was kept; want all of 3.3s", p.Kept)
	}
	if tr.Recording() || tr.State() != consent.NotesOnly {
		t.Errorf("after the loss: recording %v, state %v; want notes only", tr.Recording(), tr.State())
	}
	d := checkKept(t, db, id, p.Kept, 40*time.Millisecond)
	t.Logf("%v; plays %.2fs", p, d.Duration.Seconds())
}

// TestRecordingsFolderRemoved: someone (a clean-up tool, a sync client)
// deletes recordings/ while a recording is being made. Nothing must panic,
// the database must stay consistent, and the loss must be reported, not
// shown as a good recording.
func TestRecordingsFolderRemoved(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	tr := recordTrial(t, db, clientID, audio.PCMMic{R: &testmic.PacedReader{PCM: pcm}, Rate: testmic.Rate})
	id := tr.recordingID(t)
	time.Sleep(1500 * time.Millisecond)
	if err := os.RemoveAll(filepath.Join(dir, storage.RecordingsDir)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	stopErr := tr.withdraw(consent.WithdrawKeep)
	p := tr.problem(t, 10*time.Second)
	t.Logf("stop: %v; the session said: %v", stopErr, p)
	if p.Kind != session.KindFileLost || !errors.Is(p.Err, storage.ErrFileLost) {
		t.Errorf("after the folder was removed: %v, want KindFileLost", p)
	}

	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	r, err := db.Recording(id)
	if err != nil {
		t.Fatal(err)
	}
	verr := db.VerifyRecording(id)
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
	// A new yes in a folder that is gone: the recording cannot begin,
	// which the session says, and nothing half made is left behind.
	if err := tr.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); err != nil {
		t.Fatal(err)
	}
	err = tr.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(tr.anna()), Participant: tr.anna()})
	var again *session.Problem
	switch {
	case err == nil:
		t.Logf("a new recording could be made after the folder was removed")
		tr.StopCapture()
	case errors.As(err, &again) && again.Kind == session.KindRecordingNotCreated:
		t.Logf("new recording refused: %v", err)
		if tr.Recording() || tr.State() != consent.NotesOnly {
			t.Errorf("after the refusal: recording %v, state %v", tr.Recording(), tr.State())
		}
	default:
		t.Errorf("a yes with the folder gone: %v, want KindRecordingNotCreated or a recording", err)
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
	_, id3 := recordWhole(t, db, clientID, fastMic(pcm, 1))
	checkKept(t, db, id3, 5*time.Second, 0)
}

// TestWrongPassphraseManyTimes: someone tries passphrases at a locked
// laptop. Every try is refused, nothing is decrypted, tries are slowed down
// (RetryError) across restarts, and the audit log counts them; once the
// back-off has passed the right passphrase opens everything, intact.
func TestWrongPassphraseManyTimes(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	db := openUnlocked(t, dir)
	tr, id := recordWhole(t, db, clientID, fastMic(pcm, 1))
	if err := db.SaveNotes(tr.ID(), storage.Notes{Text: "she spoke about her father"}); err != nil {
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
		if _, err := db.OpenRecording(id); !errors.Is(err, storage.ErrLocked) {
			t.Errorf("%s: OpenRecording = %v, want ErrLocked", when, err)
		}
		if _, err := db.Notes(tr.ID()); !errors.Is(err, storage.ErrLocked) {
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
	checkKept(t, db, id, 5*time.Second, 0)
	if n, err := db.Notes(tr.ID()); err != nil || n.Text != "she spoke about her father" {
		t.Errorf("notes after unlocking: %q, %v", n.Text, err)
	}
}
