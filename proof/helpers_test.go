package proof_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
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

// audioOptions is what app/session.go passes to audio.Start, minus the UI
// callbacks and the speaker: the real LAME encoder at its defaults and the
// default one-second pieces.
func audioOptions() audio.Options {
	// The same pieces as app/session.go (captureChunk): what a crash can
	// lose is this plus storage's chunk.
	return audio.Options{NewEncoder: lame.NewFunc(lame.Options{}), ChunkDuration: 250 * time.Millisecond}
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

// consentRun is a session under way, as app/session.go's sessionRun keeps
// it: consent decides, then the event is stored, then capture may start.
type consentRun struct {
	db      *storage.DB
	stored  storage.Session
	cs      *consent.Session
	segment int
}

func beginSession(db *storage.DB, clientID string) (*consentRun, error) {
	s, err := db.CreateSession(clientID, storage.Participant{Name: "Anna", Role: "client"})
	if err != nil {
		return nil, err
	}
	people := []consent.Participant{{ID: s.Participants[0].ID, Name: "Anna", Role: consent.RoleClient}}
	cs, err := consent.NewSession(s.ID, clientID, people, consent.DefaultPolicy(), time.UTC)
	if err != nil {
		return nil, err
	}
	return &consentRun{db: db, stored: s, cs: cs}, nil
}

// apply runs ev through consent and stores it as sessionRun.store does.
func (r *consentRun) apply(ev consent.Event) (consent.Effects, error) {
	ev.At = time.Now()
	eff, err := r.cs.Apply(ev)
	if err != nil {
		return eff, err
	}
	return eff, r.store(ev)
}

func (r *consentRun) store(ev consent.Event) error {
	data, err := consent.MarshalEvent(ev)
	if err != nil {
		return err
	}
	_, err = r.db.AppendConsentEvent(storage.ConsentEvent{
		SessionID:         r.stored.ID,
		Kind:              ev.Kind.String(),
		At:                ev.At,
		Actor:             ev.Actor.Kind.String(),
		Participant:       ev.Participant,
		Data:              data,
		WithdrawDeleteAll: ev.Kind == consent.EventWithdraw && ev.Withdrawal == consent.WithdrawDeleteAll,
	})
	return err
}

// askAndConfirm is the therapist asking and Anna tapping "Record": it
// returns the Grant consent made, with both events stored.
func (r *consentRun) askAndConfirm() (consent.Grant, error) {
	if _, err := r.apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
		return consent.Grant{}, err
	}
	p := r.stored.Participants[0].ID
	eff, err := r.apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(p), Participant: p})
	if err != nil {
		return consent.Grant{}, err
	}
	if !eff.StartCapture || !eff.Grant.Valid() {
		return consent.Grant{}, fmt.Errorf("confirm gave no Grant: %+v", eff)
	}
	return eff.Grant, nil
}

// newRecording opens the next segment's writer as sessionRun.startCapture
// does.
func (r *consentRun) newRecording(g consent.Grant) (*storage.RecordingWriter, error) {
	var purposes []string
	for _, p := range g.Purposes() {
		purposes = append(purposes, p.ID)
	}
	r.segment++
	return r.db.NewRecording(r.stored.ID, r.segment, g.DeleteOn(), purposes)
}

// recordingSink is app/session.go's adapter from the recorder to storage's
// sealing writer (copied: it is unexported there), with a hook that sees
// each piece after storage accepted it.
type recordingSink struct {
	w       io.Writer // the *storage.RecordingWriter, or a fault wrapped around it
	onWrite func(total int64)

	mu    sync.Mutex
	total int64
	peaks []audio.Peak
}

var _ audio.Sink = (*recordingSink)(nil)

func (s *recordingSink) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.mu.Lock()
	s.total += int64(n)
	total := s.total
	s.mu.Unlock()
	if err == nil && s.onWrite != nil {
		s.onWrite(total)
	}
	return n, err
}

func (s *recordingSink) WritePeaks(p []audio.Peak) error {
	s.mu.Lock()
	s.peaks = append(s.peaks, p...)
	s.mu.Unlock()
	return nil
}

// seal does what sessionRun.captureEnded does when a recording ends.
func (s *recordingSink) seal(w *storage.RecordingWriter, e audio.End) error {
	s.mu.Lock()
	levels := make([]byte, len(s.peaks))
	for i, p := range s.peaks {
		m := max(abs(int(p.Min)), abs(int(p.Max)))
		levels[i] = byte(min(255, m*255/32767))
	}
	s.mu.Unlock()
	w.SetDuration(e.Kept)
	w.SetPeaks(storage.Peaks{Interval: audio.PeakInterval, Levels: levels})
	return w.Close()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pacedReader gives PCM (signed 16-bit little-endian mono at rate Hz) no
// faster than real time, looping over pcm, so that a PCMMic behaves like a
// microphone: the audio captured by time t is at most t minus the first
// Read. It is here because the ALSA test microphone (audio/testmic) is not
// paced: ALSA's file plugin answers every read at once, so a recording of
// it runs ahead of the clock and "how much audio was captured before the
// kill" would mean nothing.
type pacedReader struct {
	pcm     []byte
	rate    int
	onStart func(time.Time) // called once, at the first Read

	start time.Time
	given atomic.Int64 // bytes given so far
}

func (r *pacedReader) Read(p []byte) (int, error) {
	if r.start.IsZero() {
		r.start = time.Now()
		if r.onStart != nil {
			r.onStart(r.start)
		}
	}
	want := int64(len(p)) &^ 1
	if want == 0 {
		return 0, nil
	}
	bytesPerSec := int64(2 * r.rate)
	for {
		allowed := int64(time.Since(r.start)) * bytesPerSec / int64(time.Second) &^ 1
		avail := allowed - r.given.Load()
		if avail >= want || (avail > 0 && avail >= bytesPerSec/50) {
			n := int(min(avail, want))
			given := r.given.Load()
			for i := range n {
				p[i] = r.pcm[(given+int64(i))%int64(len(r.pcm))]
			}
			r.given.Add(int64(n))
			return n, nil
		}
		time.Sleep(time.Duration((want - avail) * int64(time.Second) / bytesPerSec))
	}
}

// captured is the audio given so far.
func (r *pacedReader) captured() time.Duration {
	return time.Duration(r.given.Load() / 2 * int64(time.Second) / int64(r.rate))
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

// startLatencySource reports when the first audio was read from the
// Source it wraps.
type firstReadSource struct {
	audio.Source
	once  sync.Once
	first chan time.Time
}

func (s *firstReadSource) Read(p []int16) (int, error) {
	n, err := s.Source.Read(p)
	if n > 0 {
		s.once.Do(func() { s.first <- time.Now() })
	}
	return n, err
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

// fullDisk is a FAKE disk that fills up: it passes bytes to the storage
// writer until limit bytes have gone through, passes the part of the next
// write that still fits, and then fails with ENOSPC as write(2) does on a
// full disk. (A real full disk cannot be made here without mounting a
// small file system, which needs privileges the tests should not need.)
type fullDisk struct {
	w     io.Writer
	limit int64
	n     int64
}

var errDiskFull = errors.New("no space left on device (fake)")

func (d *fullDisk) Write(p []byte) (int, error) {
	room := d.limit - d.n
	if room >= int64(len(p)) {
		n, err := d.w.Write(p)
		d.n += int64(n)
		return n, err
	}
	n := 0
	if room > 0 {
		var err error
		n, err = d.w.Write(p[:room])
		d.n += int64(n)
		if err != nil {
			return n, err
		}
	}
	return n, fmt.Errorf("write: %w", errDiskFull)
}
