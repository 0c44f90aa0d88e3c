package audio_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/consent"
)

func TestComputePeaks(t *testing.T) {
	if audio.ComputePeaks(nil, 16000) != nil || audio.ComputePeaks([]int16{1}, 0) != nil {
		t.Error("empty input or bad rate should give nil")
	}
	pcm := make([]int16, 800*2+5) // two whole Peaks at 16 kHz and a bit
	pcm[3], pcm[10] = -7, 9
	pcm[800+799] = 32767
	pcm[1600+4] = -32768
	got := audio.ComputePeaks(pcm, 16000)
	want := []audio.Peak{{-7, 9}, {0, 32767}, {-32768, 0}}
	if !slices.Equal(got, want) {
		t.Errorf("ComputePeaks = %v, want %v", got, want)
	}
	if n := len(audio.ComputePeaks(make([]int16, 44100), 44100)); n != 20 {
		t.Errorf("one second at 44.1 kHz gives %d Peaks, want 20", n)
	}
}

// TestDecodePeaks: the Peaks of an MP3 come out one per 50 ms, and agree
// with those of the decoded audio.
func TestDecodePeaks(t *testing.T) {
	b := audio.ChimeStart.MP3()
	peaks, rate, err := audio.DecodePeaks(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	st := decodeStereo(t, b)
	mono := make([]int16, len(st)/2)
	for i := range mono {
		mono[i] = st[2*i]
	}
	if want := audio.ComputePeaks(mono, rate); !slices.Equal(peaks, want) {
		t.Errorf("DecodePeaks gave %d, ComputePeaks of the decoded audio %d (or they differ)", len(peaks), len(want))
	}
	if _, _, err := audio.DecodePeaks(strings.NewReader("nope")); !errors.Is(err, audio.ErrFormat) {
		t.Errorf("not MP3: %v", err)
	}
}

// TestPCMSource: partial reads, an odd trailing byte, EOF, Close, and a
// Grant revoked between reads.
func TestPCMSource(t *testing.T) {
	sess := audiotest.NewSession(t)
	raw := []byte{1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0xff}
	src, err := audio.PCMMic{R: iotest.OneByteReader(bytes.NewReader(raw))}.Open(sess.Grant())
	if err != nil {
		t.Fatal(err)
	}
	if src.SampleRate() != audio.SpeechRate {
		t.Errorf("rate %d", src.SampleRate())
	}
	var got []int16
	buf := make([]int16, 2)
	for {
		n, err := src.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil || n == 0 {
			t.Fatalf("Read: %d, %v", n, err)
		}
	}
	if !slices.Equal(got, []int16{1, 2, 3, 4, 5}) {
		t.Errorf("read %v", got)
	}
	src.Close()
	if _, err := src.Read(buf); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	// A reader error surfaces wrapped.
	errBoom := errors.New("boom")
	src, _ = audio.PCMMic{R: iotest.ErrReader(errBoom)}.Open(sess.Grant())
	if _, err := src.Read(buf); !errors.Is(err, errBoom) {
		t.Errorf("reader error: %v", err)
	}
	// Revoked between reads: nothing more is read from R.
	r := bytes.NewReader(make([]byte, 100))
	src, _ = audio.PCMMic{R: r}.Open(sess.Grant())
	src.Read(buf)
	sess.Pause(t)
	if _, err := src.Read(buf); !errors.Is(err, audio.ErrGrantInvalid) {
		t.Errorf("Read after pause: %v", err)
	}
	if r.Len() != 96 {
		t.Errorf("%d bytes read from R, want 4", 100-r.Len())
	}
	if _, err := (audio.PCMMic{}).Open(sess.Resume(t)); !errors.Is(err, audio.ErrOptions) {
		t.Errorf("nil reader: %v", err)
	}
}

// TestNoCgo: the audio package builds without cgo, so that everything
// above the device and the encoder is tested anywhere.
func TestNoCgo(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[1] == "false" && f[2] != "0" {
			t.Errorf("audio depends on %s, which uses cgo", f[0])
		}
		if strings.Contains(f[0], "portaudio") || strings.HasSuffix(f[0], "/lame") {
			t.Errorf("audio depends on %s", f[0])
		}
	}
}

func TestEndString(t *testing.T) {
	e := audio.End{Reason: audio.EndSinkFailed, Err: errors.New("disk full"), Captured: 90 * time.Second, Kept: 89 * time.Second, Bytes: 356000}
	want := "storage failed after 1m30s (disk full); 1m29s of 1m30s kept, 356000 bytes"
	if got := e.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := audio.EndReason(0).String(); got != "EndReason(0)" {
		t.Errorf("%q", got)
	}
}

// memSink is a Sink for the example.
type memSink struct {
	mp3   bytes.Buffer
	peaks []audio.Peak
}

func (s *memSink) Write(p []byte) (int, error)     { return s.mp3.Write(p) }
func (s *memSink) WritePeaks(p []audio.Peak) error { s.peaks = append(s.peaks, p...); return nil }

func ExampleStart() {
	// In the app the Grant comes from the client's confirmation on screen.
	s, _ := consent.NewSession("s1", "client 1", []consent.Participant{{ID: "p1", Name: "Alex", Role: consent.RoleClient}}, consent.DefaultPolicy(), time.UTC)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.Apply(consent.Event{Kind: consent.EventAsk, At: at, Actor: consent.Therapist()})
	eff, _ := s.Apply(consent.Event{Kind: consent.EventConfirm, At: at, Actor: consent.ByParticipant("p1"), Participant: "p1"})

	// Two seconds of silence stand in for the microphone (the app uses
	// portaudio.Host.Mic and lame.NewFunc).
	mic := audio.PCMMic{R: bytes.NewReader(make([]byte, 2*2*16000))}
	sink := &memSink{}
	rec, err := audio.Start(eff.Grant, mic, sink, audio.Options{NewEncoder: audiotest.NewRawEncoder})
	if err != nil {
		fmt.Println(err)
		return
	}
	end := rec.Wait() // or rec.Stop() when the client taps "Stop recording"
	fmt.Println(end.Reason, end.Kept, len(sink.peaks))
	// Output: source ended 2s 40
}

// FuzzDecodePeaks: arbitrary bytes give Peaks or an error, never a panic.
func FuzzDecodePeaks(f *testing.F) {
	f.Add(audio.ChimeStart.MP3()[:800])
	f.Add([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		audio.DecodePeaks(bytes.NewReader(b))
	})
}

// TestMicFuncNeedsAGrant: even a Mic made from a plain function cannot be
// opened with the zero (invalid) Grant; the function is never called.
func TestMicFuncNeedsAGrant(t *testing.T) {
	called := false
	m := audio.MicFunc(func(consent.Grant) (audio.Source, error) { called = true; return nil, nil })
	if _, err := m.Open(consent.Grant{}); !errors.Is(err, audio.ErrGrantInvalid) {
		t.Errorf("Open with no grant: %v, want ErrGrantInvalid", err)
	}
	if called {
		t.Error("the function was called without a valid grant")
	}
}
