package proof_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// cheapKDF keeps unlocking fast; the trials are about crashes and faults,
// not about the cost of guessing a passphrase.
var cheapKDF = storage.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

const passphrase = "correct horse battery staple"

// speechText is long enough (about 10 s of espeak-ng) that a trial hears
// words, not the same syllable looped.
const speechText = "Thank you for coming today. Before we begin, I want to say again " +
	"that this session is recorded only because you agreed, and that you can stop " +
	"the recording at any moment by pressing the button on the screen."

// storageOptions is what cmd/assent passes (storage.Options{}: the default
// chunk size, the real clock) except for the KDF costing.
func storageOptions() storage.Options { return storage.Options{KDF: cheapKDF} }

// sessionOptions is what the app gives every session (app's
// sessionOptions) with mic as the microphone: the real LAME encoder at the
// practice's bitrate. Reports from the recorder's goroutine run in a
// goroutine of their own, as with no UI.
func sessionOptions(db *storage.DB, mic audio.Mic) session.Options {
	return session.Options{
		DB:         db,
		Mic:        func() audio.Mic { return mic },
		NewEncoder: func(kbps int) audio.NewEncoderFunc { return lame.NewFunc(lame.Options{Bitrate: kbps}) },
	}
}

// newFolder makes a data folder with a vault and one client, as the first
// run of the app leaves it, and returns it closed.
func newFolder(t testing.TB) (dir, clientID string) {
	t.Helper()
	dir = t.TempDir()
	return dir, newFolderIn(t, dir)
}

// newFolderIn is newFolder in dir (made if missing); it returns the client.
func newFolderIn(t testing.TB, dir string) (clientID string) {
	t.Helper()
	db, err := storage.Open(dir, storageOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateVault(passphrase); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateClient("client A")
	if err != nil {
		t.Fatal(err)
	}
	// The trials read back what capture and recovery kept, in sessions
	// that never reach their end: a practice that turned the question at
	// the end off, whose recordings are playable as soon as they are kept.
	// (The question itself is tried in session/lastword_test.go and the
	// app's tests.)
	if err := db.SetSetting(session.SettingEndQuestion, "false"); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// openUnlocked opens dir and unlocks it (which runs crash recovery).
func openUnlocked(t testing.TB, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, storageOptions())
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Unlock(passphrase); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	return db
}

// trial is a session under way in a trial: package session, as the app
// runs it, with Anna present, and the problems it reported off a step.
type trial struct {
	*session.Session
	db *storage.DB

	mu       sync.Mutex
	problems []*session.Problem
	told     chan struct{} // receives after each problem
}

// startTrial starts a session of the client with Anna, recording from mic.
func startTrial(db *storage.DB, clientID string, mic audio.Mic) (*trial, error) {
	return startTrialWith(sessionOptions(db, mic), clientID)
}

func startTrialWith(opt session.Options, clientID string) (*trial, error) {
	c, err := opt.DB.Client(clientID)
	if err != nil {
		return nil, err
	}
	s, err := session.Start(opt, c, []consent.Participant{{Name: "Anna", Role: consent.RoleClient}}, consent.CollectionOnScreen)
	if err != nil {
		return nil, err
	}
	tr := &trial{Session: s, db: opt.DB, told: make(chan struct{}, 16)}
	s.Watch(nil, func(p *session.Problem) {
		tr.mu.Lock()
		tr.problems = append(tr.problems, p)
		tr.mu.Unlock()
		tr.told <- struct{}{}
	})
	return tr, nil
}

// anna is the participant's ID.
func (tr *trial) anna() string { return tr.Participants()[0].ID }

// askAndConfirm is the therapist asking and Anna tapping "Record"; the
// error is the yes's, if any.
func (tr *trial) askAndConfirm() error {
	if err := tr.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	if err := tr.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(tr.anna()), Participant: tr.anna()}); err != nil {
		return fmt.Errorf("yes: %w", err)
	}
	if !tr.Recording() {
		return fmt.Errorf("not recording after the yes (state %v)", tr.State())
	}
	return nil
}

// withdraw is Anna's "Stop recording" and her choice.
func (tr *trial) withdraw(w consent.Withdrawal) error {
	return tr.Apply(consent.Event{Kind: consent.EventWithdraw, Actor: consent.ByParticipant(tr.anna()), Withdrawal: w})
}

// recordingID is the ID of the session's latest recording.
func (tr *trial) recordingID(t testing.TB) string {
	t.Helper()
	recs, err := tr.db.Recordings(tr.ID())
	if err != nil || len(recs) == 0 {
		t.Fatalf("the session's recordings: %+v, %v", recs, err)
	}
	return recs[len(recs)-1].ID
}

// problem waits for the next problem the session reports off a step.
func (tr *trial) problem(t testing.TB, within time.Duration) *session.Problem {
	t.Helper()
	select {
	case <-tr.told:
	case <-time.After(within):
		t.Fatalf("no problem reported within %v (state %v, recording %v)", within, tr.State(), tr.Recording())
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.problems[len(tr.problems)-1]
}

// recordTrial starts a session in db recording from mic with Anna's yes.
func recordTrial(t testing.TB, db *storage.DB, clientID string, mic audio.Mic) *trial {
	t.Helper()
	tr, err := startTrial(db, clientID, mic)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.askAndConfirm(); err != nil {
		t.Fatal(err)
	}
	return tr
}

// recordWhole records all of a finite microphone: the session stops when
// the sound ends (KindMicrophoneSilent), with everything kept. It returns
// the recording's ID.
func recordWhole(t testing.TB, db *storage.DB, clientID string, mic audio.Mic) (*trial, string) {
	t.Helper()
	tr := recordTrial(t, db, clientID, mic)
	if p := tr.problem(t, time.Minute); p.Kind != session.KindMicrophoneSilent {
		t.Fatalf("the recording ended by %v, want the microphone's sound ending", p)
	}
	return tr, tr.recordingID(t)
}

// speechPCM makes the espeak-ng fixture and returns its path and bytes.
func speechPCM(t testing.TB) (path string, pcm []byte) {
	t.Helper()
	mic := testmic.New(t, speechText)
	b, err := os.ReadFile(mic.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	return mic.Fixture, b
}

// lameDelay is LAME's encoder delay (576 + 529 samples of padding before
// the first input sample, at 16 kHz). A decoder that does not read a LAME
// tag, as go-mp3 does not and as Assent writes none, plays it; it is taken
// off decoded durations so that they never overstate what was kept.
const lameDelay = time.Duration(1105) * time.Second / testmic.Rate

// decoded is what go-mp3 made of a recording.
type decoded struct {
	Duration time.Duration // of the decoded audio, lameDelay taken off
	RMS      float64       // of the decoded samples, 0..32768
}

// decodeMP3 decodes every byte with go-mp3 (the decoder the app plays
// with). go-mp3 panics on some malformed frames; here a panic is a failure
// reported as an error, not a crash of the test binary.
func decodeMP3(b []byte) (d decoded, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("go-mp3 panicked: %v", v)
		}
	}()
	dec, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		return d, fmt.Errorf("go-mp3: %w", err)
	}
	pcm, err := io.ReadAll(dec)
	if err != nil {
		return d, fmt.Errorf("go-mp3 after %d bytes: %w", len(pcm), err)
	}
	frames := len(pcm) / 4 // 16-bit stereo
	var sum float64
	for i := 0; i+1 < len(pcm); i += 4 {
		v := float64(int16(binary.LittleEndian.Uint16(pcm[i:])))
		sum += v * v
	}
	if frames > 0 {
		d.RMS = math.Sqrt(sum / float64(frames))
	}
	d.Duration = max(0, time.Duration(frames)*time.Second/time.Duration(dec.SampleRate())-lameDelay)
	return d, nil
}

// readRecording opens a recording through storage and returns its MP3.
func readRecording(db *storage.DB, id string) ([]byte, error) {
	r, err := db.OpenRecording(id)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// firstReadSource reports when the first audio was read from the Source
// it wraps, and when it was closed.
type firstReadSource struct {
	audio.Source
	once   sync.Once
	first  chan time.Time
	closed chan time.Time
}

func (s *firstReadSource) Read(p []int16) (int, error) {
	n, err := s.Source.Read(p)
	if n > 0 {
		s.once.Do(func() { s.first <- time.Now() })
	}
	return n, err
}

func (s *firstReadSource) Close() error {
	err := s.Source.Close()
	s.closed <- time.Now()
	return err
}

// unpluggedSource is a FAKE: it stands in for a microphone being unplugged
// part-way, which cannot be done to the ALSA test microphone (its file
// device never goes away). After failAfter samples it fails as
// audio/portaudio does for a lost device, with an error wrapping
// audio.ErrDeviceLost.
type unpluggedSource struct {
	audio.Source
	failAfter int
	read      int
}

var _ audio.Source = (*unpluggedSource)(nil)

func (s *unpluggedSource) Read(p []int16) (int, error) {
	if s.read >= s.failAfter {
		return 0, fmt.Errorf("portaudio stand-in: read: %w", audio.ErrDeviceLost)
	}
	p = p[:min(len(p), s.failAfter-s.read)]
	n, err := s.Source.Read(p)
	s.read += n
	return n, err
}
