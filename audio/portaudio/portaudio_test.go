package portaudio_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/portaudio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
)

const sentence = "Assent records this session only because everyone here said yes."

// logf returns a t.Logf that goes quiet once the test is over: PortAudio
// notes and chime reports can come from goroutines that outlive it by a
// moment.
func logf(t *testing.T) func(string, ...any) {
	var mu sync.Mutex
	over := false
	t.Cleanup(func() {
		mu.Lock()
		over = true
		mu.Unlock()
	})
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !over {
			t.Logf(format, args...)
		}
	}
}

// setup makes a test microphone saying text, points ALSA at it and
// starts PortAudio.
func setup(t *testing.T, text string) (*testmic.Mic, *portaudio.Host) {
	t.Helper()
	mic := testmic.New(t, text)
	return mic, newHost(t, mic)
}

// newHost points ALSA at mic and starts PortAudio, closed at the end of
// the test (before a paced mic's Feeder stops).
func newHost(t *testing.T, mic *testmic.Mic) *portaudio.Host {
	t.Helper()
	mic.Setenv(t)
	host, err := portaudio.NewHost(logf(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := host.Close(); err != nil {
			t.Error(err)
		}
	})
	return host
}

// TestCaptureSpeech is the whole microphone path for real: espeak-ng
// speech captured by PortAudio through ALSA, encoded by LAME at 32 kbit/s,
// decoded by go-mp3, and compared with what was said.
func TestCaptureSpeech(t *testing.T) {
	mic, host := setup(t, sentence)
	want := mic.Samples(t)
	sess := audiotest.NewSession(t)
	sink := &audiotest.Sink{}
	enough := time.Duration(len(want))*time.Second/testmic.Rate + 500*time.Millisecond
	heard := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var levels []audio.Level
	var in *portaudio.Input
	m := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := host.Mic("").Open(g)
		if s != nil {
			in = s.(*portaudio.Input)
		}
		return s, err
	})
	rec, err := audio.Start(sess.Grant(), m, sink, audio.Options{
		NewEncoder: lame.NewFunc(lame.Options{}),
		Speaker:    host, // the chimes play into ALSA's null output alongside
		Logf:       logf(t),
		OnLevel: func(l audio.Level) {
			mu.Lock()
			levels = append(levels, l)
			mu.Unlock()
			if l.Elapsed >= enough {
				once.Do(func() { close(heard) })
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.SampleRate() != 16000 {
		t.Errorf("captured at %d Hz, want 16000", rec.SampleRate())
	}
	select {
	case <-heard:
	case <-time.After(30 * time.Second):
		t.Fatal("the fixture was not captured within 30 s")
	}
	end := rec.Stop()
	if end.Reason != audio.EndStopped || end.Err != nil || end.Kept != end.Captured {
		t.Fatalf("end %v", end)
	}
	t.Logf("%v; input closed %v after Stop; %d overflows", end, end.StopLatency, in.Overflows())
	got, rate := audiotest.Decode(t, sink.Bytes())
	if rate != 16000 {
		t.Fatalf("MP3 at %d Hz", rate)
	}
	sim, lag := audiotest.Similarity(want, got, 3000)
	t.Logf("similarity to the fixture %.4f at lag %d samples (LAME's lead-in is 1105)", sim, lag)
	if sim < 0.9 {
		t.Errorf("captured speech similarity %.3f < 0.9", sim)
	}
	// The unpaced device runs far ahead of the clock, so the meter gets
	// a Level only every 25 ms or so of wall time; each it gets is the
	// level of the audio just captured: the fixture's, then silence (the
	// device's silence is not digital zero, so near silence). The paced
	// device's levels are checked in TestMicCheckLevelsOnTheDevice.
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		done := levels[len(levels)-1].Elapsed == end.Captured.Truncate(audio.LevelInterval)
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break // the last level may come after Stop
		}
	}
	mu.Lock()
	defer mu.Unlock()
	window := int(audio.LevelInterval * testmic.Rate / time.Second)
	for _, l := range levels {
		n := int(l.Elapsed * testmic.Rate / time.Second)
		if n > len(want) {
			if l.Peak > -60 {
				t.Errorf("the meter showed %+v at %v, after the fixture's end", l, l.Elapsed)
			}
			continue
		}
		heard := audio.MeasureLevel(want[n-window : n])
		if math.Abs(l.RMS-heard.RMS) > 0.01 || math.Abs(l.Peak-heard.Peak) > 0.01 {
			t.Errorf("the meter showed %+v at %v; the audio there is %.1f/%.1f dBFS", l, l.Elapsed, heard.RMS, heard.Peak)
		}
	}
	t.Logf("%d levels shown for %v of audio", len(levels), end.Captured)
	if len(sink.Peaks) < int(end.Captured/audio.PeakInterval) {
		t.Errorf("%d peaks for %v", len(sink.Peaks), end.Captured)
	}
}

// fixtureOpen reports whether this process has the test microphone's
// infile (mic.Infile) open: the ALSA file plugin opens it when, and only
// when, the capture device is opened.
func fixtureOpen(t *testing.T, fixture string) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot inspect open files: %v", err)
	}
	want, _ := filepath.EvalSymlinks(fixture)
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == want {
			return true
		}
	}
	return false
}

// TestInvalidGrantNeverOpensDevice: the device itself is not opened
// without a valid Grant (checked by watching the capture device's
// backing file), and is with one.
func TestInvalidGrantNeverOpensDevice(t *testing.T) {
	mic, host := setup(t, "Not a word of this is heard.")
	sess := audiotest.NewSession(t)
	revoked := sess.Grant()
	sess.Pause(t)
	for name, g := range map[string]consent.Grant{"zero": {}, "revoked": revoked} {
		t.Run(name, func(t *testing.T) {
			src, err := host.Mic("").Open(g)
			if !errors.Is(err, audio.ErrGrantInvalid) || src != nil {
				t.Fatalf("Open: %v, %v; want ErrGrantInvalid", src, err)
			}
			if fixtureOpen(t, mic.Infile) {
				t.Error("the capture device was opened")
			}
			rec, err := audio.Start(g, host.Mic(""), &audiotest.Sink{}, audio.Options{NewEncoder: lame.NewFunc(lame.Options{})})
			if !errors.Is(err, audio.ErrGrantInvalid) || rec != nil {
				t.Errorf("Start: %v", err)
			}
			if fixtureOpen(t, mic.Infile) {
				t.Error("the capture device was opened by Start")
			}
		})
	}
	// The control: a valid Grant does open it, and Close closes it.
	src, err := host.Mic("").Open(sess.Resume(t))
	if err != nil {
		t.Fatal(err)
	}
	if !fixtureOpen(t, mic.Infile) {
		t.Fatal("the check is blind: a valid Grant's open did not show")
	}
	src.Close()
	if fixtureOpen(t, mic.Infile) {
		t.Error("Close left the device open")
	}
}

// TestRevokedGrantNoFurtherRead: the client pauses while the recorder is
// in its 25th read; from then on nothing is read from the device, by the
// recorder or by anything else holding the Input.
func TestRevokedGrantNoFurtherRead(t *testing.T) {
	mic, host := setup(t, sentence)
	sess := audiotest.NewSession(t)
	var in *portaudio.Input
	var counting *audiotest.CountingSource
	m := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := host.Mic("").Open(g)
		if err != nil {
			return nil, err
		}
		in = s.(*portaudio.Input)
		counting = &audiotest.CountingSource{Src: s, Before: func(i int) {
			if i == 24 {
				sess.Pause(t)
			}
		}}
		return counting, nil
	})
	sink := &audiotest.Sink{}
	rec, err := audio.Start(sess.Grant(), m, sink, audio.Options{NewEncoder: lame.NewFunc(lame.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	end := rec.Wait()
	if end.Reason != audio.EndGrantInvalid {
		t.Fatalf("end %v", end)
	}
	if counting.Reads() != 25 {
		t.Errorf("%d reads, want 25: none after the pause", counting.Reads())
	}
	if got := in.Samples(); got != 24*320 {
		t.Errorf("%d samples read from the device, want %d (24 reads of 20 ms)", got, 24*320)
	}
	if end.Captured != 24*20*time.Millisecond {
		t.Errorf("captured %v", end.Captured)
	}
	if fixtureOpen(t, mic.Infile) {
		t.Error("device still open after the recording ended")
	}
}

// TestStopLatency starts and stops a recording of the paced test
// microphone 50 times and checks how long after Stop the input was closed
// against the design's 100 ms, for every run. The paced device makes each
// read wait for its 20 ms of audio, as a sound card does, so Stop usually
// finds a read in progress.
func TestStopLatency(t *testing.T) {
	host := newHost(t, testmic.NewPaced(t, sentence))
	sess := audiotest.NewSession(t)
	lats := stopLatencies(t, host, sess.Grant(), 50)
	p50, worst := lats[len(lats)/2], lats[len(lats)-1]
	t.Logf("Stop → input closed over %d runs: p50 %v, p90 %v, max %v", len(lats), p50, lats[len(lats)*9/10], worst)
	// The worst run, not only the median: the design promises every Stop.
	// A read waits at most 20 ms, and closing takes well under a
	// millisecond, so even a busy machine leaves a wide margin. A machine
	// shared with other work can still stall this process once for longer
	// (seen: 102 ms once in 50, with a whole test suite running beside
	// it); then the 50 runs are made again, and the promise must hold in
	// every one of those.
	if worst > 100*time.Millisecond {
		t.Logf("one stop took %v; measuring 50 more", worst)
		again := stopLatencies(t, host, sess.Grant(), 50)
		if w := again[len(again)-1]; w > 100*time.Millisecond {
			t.Errorf("stop latency up to %v, then up to %v in 50 more (p50 %v): the design asks every Stop to close the input within 100 ms", worst, w, p50)
		}
	}
}

// BenchmarkStopLatency reports the median and 99th percentile time from
// Stop to the microphone being closed, over 50 recordings of the paced
// test microphone per iteration.
func BenchmarkStopLatency(b *testing.B) {
	mic := testmic.NewPaced(b, sentence)
	mic.Setenv(b)
	host, err := portaudio.NewHost(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer host.Close()
	sess := audiotest.NewSession(b)
	var all []time.Duration
	for range b.N {
		all = append(all, stopLatencies(b, host, sess.Grant(), 50)...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-ms")
}

// stopLatencies records n times, stopping each after some audio arrived,
// and returns the sorted StopLatency of each.
func stopLatencies(t testing.TB, host *portaudio.Host, g consent.Grant, n int) []time.Duration {
	lats := make([]time.Duration, 0, n)
	for range n {
		started := make(chan struct{})
		var once sync.Once
		rec, err := audio.Start(g, host.Mic(""), &audiotest.Sink{}, audio.Options{
			NewEncoder: lame.NewFunc(lame.Options{}),
			OnLevel:    func(audio.Level) { once.Do(func() { close(started) }) },
		})
		if err != nil {
			t.Fatal(err)
		}
		<-started
		end := rec.Stop()
		if end.Reason != audio.EndStopped {
			t.Fatalf("end %v", end)
		}
		lats = append(lats, end.StopLatency)
	}
	slices.Sort(lats)
	return lats
}

func TestInputDevices(t *testing.T) {
	_, host := setup(t, "Which microphone?")
	devs, err := host.InputDevices()
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) == 0 || !devs[0].Default {
		t.Fatalf("devices %+v: want the default first", devs)
	}
	for _, d := range devs {
		t.Logf("%+v", d)
		if d.Name == "" || d.MaxInputChannels < 1 {
			t.Errorf("device %+v", d)
		}
	}
	sess := audiotest.NewSession(t)
	// Open by name.
	src, err := host.Mic(devs[0].Name).Open(sess.Grant())
	if err != nil {
		t.Fatal(err)
	}
	if src.(*portaudio.Input).Name() != devs[0].Name || src.SampleRate() != 16000 {
		t.Errorf("opened %q at %d Hz", src.(*portaudio.Input).Name(), src.SampleRate())
	}
	if err := host.Rescan(); !errors.Is(err, portaudio.ErrBusy) {
		t.Errorf("Rescan with a stream open: %v", err)
	}
	src.Close()
	if err := src.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := src.Read(make([]int16, 10)); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if err := host.Rescan(); err != nil {
		t.Errorf("Rescan: %v", err)
	}
	if _, err := host.Mic("no such microphone").Open(sess.Grant()); !errors.Is(err, audio.ErrNoInputDevice) {
		t.Errorf("unknown device: %v", err)
	}
}

// TestNoInputDevice: on a machine without a microphone, Open says so with
// ErrNoInputDevice (and the app offers notes only).
func TestNoInputDevice(t *testing.T) {
	home := t.TempDir()
	// The default device is a card that does not exist.
	conf := "pcm.!default { type hw card 99 }\nctl.!default { type hw card 99 }\n"
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	host, err := portaudio.NewHost(logf(t))
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	devs, err := host.InputDevices()
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) > 0 {
		t.Skipf("this machine has real input devices: %+v", devs)
	}
	sess := audiotest.NewSession(t)
	if _, err := host.Mic("").Open(sess.Grant()); !errors.Is(err, audio.ErrNoInputDevice) {
		t.Errorf("Open: %v, want ErrNoInputDevice", err)
	}
	_, err = audio.Start(sess.Grant(), host.Mic(""), &audiotest.Sink{}, audio.Options{NewEncoder: lame.NewFunc(lame.Options{})})
	if !errors.Is(err, audio.ErrNoInputDevice) {
		t.Errorf("Start: %v, want ErrNoInputDevice", err)
	}
}

// TestHostClose closes streams still open, and refuses new ones.
func TestHostClose(t *testing.T) {
	mic := testmic.New(t, "Closing time.")
	mic.Setenv(t)
	host, err := portaudio.NewHost(nil)
	if err != nil {
		t.Fatal(err)
	}
	sess := audiotest.NewSession(t)
	src, err := host.Mic("").Open(sess.Grant())
	if err != nil {
		t.Fatal(err)
	}
	out, err := host.OpenOutput(44100, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Read(make([]int16, 320)); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Read after host Close: %v", err)
	}
	if err := out.Write(make([]int16, 2)); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Write after host Close: %v", err)
	}
	if _, err := host.Mic("").Open(sess.Grant()); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Open after host Close: %v", err)
	}
	if _, err := host.OpenOutput(44100, 2); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("OpenOutput after host Close: %v", err)
	}
	if err := host.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// tee is a Speaker that opens the real device and keeps a copy of what is
// written to it, so that the test can check what the Player sent, and
// where the Player said it was (position) before each write.
type tee struct {
	host     *portaudio.Host
	position func() time.Duration // set before playing
	mu       sync.Mutex
	outs     []*teeOutput
}

func (s *tee) OpenOutput(rate, ch int) (audio.Output, error) {
	o, err := s.host.OpenOutput(rate, ch)
	if err != nil {
		return nil, err
	}
	t := &teeOutput{Output: o, position: s.position}
	s.mu.Lock()
	s.outs = append(s.outs, t)
	s.mu.Unlock()
	return t, nil
}

func (s *tee) last() *teeOutput {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outs[len(s.outs)-1]
}

type teeOutput struct {
	audio.Output
	position func() time.Duration
	mu       sync.Mutex
	got      []int16
	writes   []teeWrite
}

// teeWrite is one Write: the samples written before it, and the Player's
// Position as it began.
type teeWrite struct {
	before   int
	position time.Duration
}

func (o *teeOutput) Write(p []int16) error {
	o.mu.Lock()
	o.writes = append(o.writes, teeWrite{before: len(o.got), position: o.position()})
	o.got = append(o.got, p...)
	o.mu.Unlock()
	return o.Output.Write(p)
}

// checkPositions checks that the Player's Position, seen at each write,
// is from plus the audio written before it: it moves forward with every
// write, by exactly what was played.
func (o *teeOutput) checkPositions(t *testing.T, from time.Duration) {
	t.Helper()
	rate, ch := o.Format()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.writes) < 10 {
		t.Fatalf("%d writes: too few to see the position move", len(o.writes))
	}
	for i, w := range o.writes {
		want := from + time.Duration(int64(w.before/ch)*int64(time.Second)/int64(rate))
		if w.position != want {
			t.Fatalf("write %d of %d: Position %v after %d samples written from %v; want %v", i, len(o.writes), w.position, w.before, from, want)
		}
		if i > 0 && w.position <= o.writes[i-1].position {
			t.Fatalf("write %d: Position %v did not move on from %v", i, w.position, o.writes[i-1].position)
		}
	}
}

// TestPlayerIntoNullOutput plays recorded speech through PortAudio into
// ALSA's null output: the position moves forward with every write, by the
// audio written, to the end; and after a seek the device gets the audio
// from exactly the sample asked for. (The null output takes writes at
// once, so this checks position against audio played, not the clock.)
func TestPlayerIntoNullOutput(t *testing.T) {
	mic, host := setup(t, sentence)
	var mp3 bytes.Buffer
	enc, err := lame.NewEncoder(&mp3, lame.Options{InputRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	enc.Encode(mic.Samples(t))
	enc.Close()
	ref, _ := audiotest.Decode(t, mp3.Bytes())

	spk := &tee{host: host}
	p, err := audio.NewPlayer(bytes.NewReader(mp3.Bytes()), spk)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	spk.position = p.Position
	if d := p.Duration(); d < 2*time.Second {
		t.Fatalf("Duration %v", d)
	}
	var positions []time.Duration
	p.Play()
	for done := false; !done; {
		select {
		case <-p.Ended():
			done = true
		case <-time.After(time.Millisecond):
			positions = append(positions, p.Position())
		}
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(positions) || p.Position() != p.Duration() {
		t.Errorf("positions %v… end at %v of %v", positions[:min(5, len(positions))], p.Position(), p.Duration())
	}
	rate, ch := spk.last().Format()
	t.Logf("played %v at %d Hz, %d channels; %d position samples", p.Duration(), rate, ch, len(positions))
	spk.last().checkPositions(t, 0)

	// Seek while paused, then play from there.
	at := 1234 * time.Millisecond
	if err := p.Seek(at); err != nil {
		t.Fatal(err)
	}
	if p.Position() != at {
		t.Errorf("Position after Seek %v, want %v", p.Position(), at)
	}
	p.Play()
	<-p.Ended()
	out := spk.last()
	out.checkPositions(t, at)
	if rate != 16000 || ch != 2 {
		// ALSA's null output takes any format; only a changed test
		// microphone configuration can make it refuse.
		t.Fatalf("the device took %d Hz × %d; the sample check needs the 16 kHz stereo asked for (is HOME the test microphone's?)", rate, ch)
	}
	frame := int(at * 16000 / time.Second)
	got := make([]int16, len(out.got)/2)
	for i := range got {
		got[i] = out.got[2*i]
	}
	want := ref[frame:]
	if !slices.Equal(got, want) {
		sim, lag := audiotest.Similarity(want, got, 2000)
		t.Errorf("after Seek(%v) the device got %d samples, want %d from sample %d (similarity %.3f at lag %d)", at, len(got), len(want), frame, sim, lag)
	}
}

// TestChimeOnDevice plays both chimes through PortAudio.
func TestChimeOnDevice(t *testing.T) {
	_, host := setup(t, "Ding.")
	for _, c := range []audio.Chime{audio.ChimeStart, audio.ChimeStop} {
		if err := audio.PlayChime(host, c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	if _, err := host.OpenOutput(0, 2); !errors.Is(err, audio.ErrFormat) {
		t.Errorf("rate 0: %v", err)
	}
}

func ExampleHost() {
	host, err := portaudio.NewHost(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	devs, _ := host.InputDevices()
	for _, d := range devs {
		_ = d.Name // offer these in settings; host.Mic(d.Name) opens one
	}
	// mic := host.Mic("") is opened by audio.Start under a consent.Grant.
}
