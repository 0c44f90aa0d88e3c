// Package audiotest holds what the audio packages' tests share: Grants made
// through the real consent state machine, an in-memory Sink, MP3 decoding
// for comparisons, an honest similarity measure, and long speech fixtures.
// It is for tests only.
package audiotest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
)

// Session is a one-client consent session in Recording, for tests.
type Session struct {
	s     *consent.Session
	grant consent.Grant
	at    time.Time
}

// NewSession starts a session, asks, and has its one participant confirm,
// so that Grant is valid; Pause revokes it.
func NewSession(t testing.TB) *Session {
	t.Helper()
	s, err := consent.NewSession("s1", "client 1", []consent.Participant{{ID: "p1", Name: "Alex", Role: consent.RoleClient}}, consent.DefaultPolicy(), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, err := s.Apply(consent.Event{Kind: consent.EventAsk, At: at, Actor: consent.Therapist()}); err != nil {
		t.Fatal(err)
	}
	eff, err := s.Apply(consent.Event{Kind: consent.EventConfirm, At: at.Add(time.Second), Actor: consent.ByParticipant("p1"), Participant: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	if !eff.StartCapture || !eff.Grant.Valid() {
		t.Fatalf("confirmation gave no valid grant: %+v", eff)
	}
	return &Session{s: s, grant: eff.Grant, at: at.Add(time.Second)}
}

// Grant is the session's current Grant.
func (s *Session) Grant() consent.Grant { return s.grant }

// Pause has the client pause capture, revoking the Grant. It is safe to
// call from any one goroutine while others call Grant().Valid().
func (s *Session) Pause(t testing.TB) {
	s.at = s.at.Add(time.Second)
	eff, err := s.s.Apply(consent.Event{Kind: consent.EventPause, At: s.at, Actor: consent.ByParticipant("p1")})
	if err != nil {
		t.Error(err) // may run off the test goroutine
		return
	}
	if !eff.StopCapture || s.grant.Valid() {
		t.Errorf("pause left the grant valid: %+v", eff)
	}
}

// Resume has the client resume, making a new valid Grant.
func (s *Session) Resume(t testing.TB) consent.Grant {
	t.Helper()
	s.at = s.at.Add(time.Second)
	eff, err := s.s.Apply(consent.Event{Kind: consent.EventResume, At: s.at, Actor: consent.ByParticipant("p1")})
	if err != nil {
		t.Fatal(err)
	}
	s.grant = eff.Grant
	return s.grant
}

// Sink is an in-memory audio.Sink that records every call. Fail, if set,
// is consulted before each Write (with the write's index, from 0) and its
// error returned.
type Sink struct {
	mu     sync.Mutex
	MP3    bytes.Buffer          // everything written
	Writes []int                 // the length of each Write
	Peaks  []audio.Peak          // every Peak given
	Fail   func(write int) error // optional: an error for write number i
}

var _ audio.Sink = (*Sink)(nil)

// Write appends p.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		if err := s.Fail(len(s.Writes)); err != nil {
			return 0, err
		}
	}
	s.Writes = append(s.Writes, len(p))
	return s.MP3.Write(p)
}

// WritePeaks appends p.
func (s *Sink) WritePeaks(p []audio.Peak) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Peaks = append(s.Peaks, p...)
	return nil
}

// Bytes returns a copy of the MP3 written so far.
func (s *Sink) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.MP3.Bytes())
}

// Decode decodes an MP3 with go-mp3 into mono samples (the left channel:
// both are the same for a mono file) and its sample rate.
func Decode(t testing.TB, b []byte) ([]int16, int) {
	t.Helper()
	d, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("go-mp3: %v", err)
	}
	raw, err := io.ReadAll(d)
	if err != nil {
		t.Fatalf("go-mp3: %v", err)
	}
	out := make([]int16, len(raw)/4)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(raw[4*i:]))
	}
	return out, d.SampleRate()
}

// Similarity aligns got against want, trying every lag from 0 to maxLag
// samples (got may start later, as an encoder's lead-in makes it), and
// returns the best normalised cross-correlation over want's length and the
// lag that gave it. 1 is identical up to gain; unrelated speech scores
// near 0.
func Similarity(want, got []int16, maxLag int) (best float64, lag int) {
	best = math.Inf(-1)
	var ww float64
	for _, v := range want {
		ww += float64(v) * float64(v)
	}
	for l := 0; l <= maxLag && l < len(got); l++ {
		n := min(len(want), len(got)-l)
		var wg, gg float64
		for i := range n {
			w, g := float64(want[i]), float64(got[i+l])
			wg += w * g
			gg += g * g
		}
		if ww == 0 || gg == 0 {
			continue
		}
		if c := wg / math.Sqrt(ww*gg); c > best {
			best, lag = c, l
		}
	}
	return best, lag
}

// LongSpeech writes a raw PCM file (S16LE mono 16 kHz) of at least seconds
// of speech into t's temp folder, made from fixture (a raw file of the same
// format, as testmic makes) repeated by sox, and returns its path.
func LongSpeech(t testing.TB, fixture string, seconds float64) string {
	t.Helper()
	fi, err := os.Stat(fixture)
	if err != nil {
		t.Fatal(err)
	}
	one := float64(fi.Size()) / 2 / audio.SpeechRate
	repeats := int(math.Ceil(seconds/one)) - 1
	out := filepath.Join(t.TempDir(), fmt.Sprintf("speech-%.0fs.raw", seconds))
	raw := []string{"-t", "raw", "-r", "16000", "-e", "signed-integer", "-b", "16", "-c", "1"}
	args := append(append(append([]string{}, raw...), fixture), raw...)
	args = append(args, out, "repeat", fmt.Sprint(max(0, repeats)))
	if b, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, b)
	}
	return out
}

// Loop is an io.Reader that gives b over and over until n bytes have been
// read, then io.EOF: hours of audio from seconds of memory.
type Loop struct {
	B   []byte // the bytes to repeat
	N   int64  // how many bytes to give in all
	off int
}

// Read implements io.Reader.
func (l *Loop) Read(p []byte) (int, error) {
	if l.N <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.N {
		p = p[:l.N]
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.B[l.off:])
		n += c
		l.off = (l.off + c) % len(l.B)
	}
	l.N -= int64(n)
	return n, nil
}
