package audio_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
)

// speech returns a few seconds of espeak-ng speech at 16 kHz.
func speech(t *testing.T) []int16 {
	t.Helper()
	return testmic.New(t, "Nothing is recorded unless everyone here says yes.").Samples(t)
}

func pcmMic(pcm []int16) audio.PCMMic {
	return audio.PCMMic{R: bytes.NewReader(audiotest.Bytes(pcm)), Rate: 16000}
}

// TestRecordAll: everything a source gives reaches the Sink, sample for
// sample, in pieces of about a second, with the Peaks of the same audio.
func TestRecordAll(t *testing.T) {
	pcm := speech(t)
	sess := audiotest.NewSession(t)
	sink := &audiotest.Sink{}
	var ends []audio.End
	rec, err := audio.Start(sess.Grant(), pcmMic(pcm), sink, audio.Options{
		NewEncoder: audiotest.NewRawEncoder,
		OnEnd:      func(e audio.End) { ends = append(ends, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	end := rec.Wait()
	if end.Reason != audio.EndSourceEnded || end.Err != nil {
		t.Fatalf("end %v", end)
	}
	if len(ends) != 1 || ends[0] != end {
		t.Errorf("OnEnd got %v, want once %v", ends, end)
	}
	got := audiotest.Samples(sink.Bytes())
	if !slices.Equal(got, pcm) {
		t.Fatalf("sink holds %d samples, source gave %d (or they differ)", len(got), len(pcm))
	}
	want := time.Duration(len(pcm)) * time.Second / 16000
	if end.Captured != want || end.Kept != want || end.Bytes != int64(2*len(pcm)) {
		t.Errorf("end %+v, want captured=kept=%v, %d bytes", end, want, 2*len(pcm))
	}
	for i, n := range sink.Writes[:len(sink.Writes)-1] {
		if n < 32000 || n > 32000+640 { // one second of raw PCM, give or take a read
			t.Errorf("piece %d is %d bytes, want about one second", i, n)
		}
	}
	if !slices.Equal(sink.Peaks, audio.ComputePeaks(pcm, 16000)) {
		t.Errorf("sink has %d peaks, ComputePeaks %d, or they differ", len(sink.Peaks), len(audio.ComputePeaks(pcm, 16000)))
	}
	if rec.Elapsed() != want {
		t.Errorf("Elapsed %v, want %v", rec.Elapsed(), want)
	}
	if again := rec.Stop(); again != end {
		t.Errorf("Stop after the end gave %v, want %v", again, end)
	}
}

// TestInvalidGrantOpensNothing: with the zero Grant, or one revoked, Start
// fails with ErrGrantInvalid and never asks the Mic to open.
func TestInvalidGrantOpensNothing(t *testing.T) {
	sess := audiotest.NewSession(t)
	revoked := sess.Grant()
	sess.Pause(t)
	for name, g := range map[string]consent.Grant{"zero": {}, "revoked": revoked} {
		t.Run(name, func(t *testing.T) {
			opened := 0
			mic := audio.MicFunc(func(consent.Grant) (audio.Source, error) {
				opened++
				return nil, errors.New("must not be called")
			})
			_, err := audio.Start(g, mic, &audiotest.Sink{}, audio.Options{NewEncoder: audiotest.NewRawEncoder})
			if !errors.Is(err, audio.ErrGrantInvalid) {
				t.Errorf("Start: %v, want ErrGrantInvalid", err)
			}
			if opened != 0 {
				t.Errorf("Mic.Open called %d times", opened)
			}
			if _, err := (audio.PCMMic{R: bytes.NewReader(nil)}).Open(g); !errors.Is(err, audio.ErrGrantInvalid) {
				t.Errorf("PCMMic.Open: %v, want ErrGrantInvalid", err)
			}
		})
	}
}

// TestRevokedGrantStopsCapture: the client pauses during the 10th read;
// the recorder reads nothing more, and keeps what it had.
func TestRevokedGrantStopsCapture(t *testing.T) {
	pcm := speech(t)
	sess := audiotest.NewSession(t)
	var src *audiotest.CountingSource
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := pcmMic(pcm).Open(g)
		if err != nil {
			return nil, err
		}
		src = &audiotest.CountingSource{Src: s, Before: func(i int) {
			if i == 9 {
				sess.Pause(t) // while read 9 is in flight
			}
		}}
		return src, nil
	})
	sink := &audiotest.Sink{}
	rec, err := audio.Start(sess.Grant(), mic, sink, audio.Options{NewEncoder: audiotest.NewRawEncoder})
	if err != nil {
		t.Fatal(err)
	}
	end := rec.Wait()
	if end.Reason != audio.EndGrantInvalid {
		t.Fatalf("end %v, want grant invalid", end)
	}
	// Read 9 started under a valid Grant, but PCMSource checks the Grant
	// too, so it gave nothing; no read 10 was made.
	if src.Reads() != 10 {
		t.Errorf("%d reads, want 10 (none after the revocation)", src.Reads())
	}
	if !src.Closed() {
		t.Error("source not closed")
	}
	got := audiotest.Samples(sink.Bytes())
	if want := pcm[:9*320]; !slices.Equal(got, want) {
		t.Errorf("kept %d samples, want the %d read before the pause", len(got), len(want))
	}
	if end.Kept != end.Captured || end.Captured != 9*20*time.Millisecond {
		t.Errorf("end %+v", end)
	}
}

// TestUnpluggedMic: a microphone that goes away part-way (a FAKE: see
// audiotest.UnpluggedSource) ends the recording with ErrDeviceLost, and
// everything read before is kept.
func TestUnpluggedMic(t *testing.T) {
	pcm := speech(t)
	sess := audiotest.NewSession(t)
	const failAfter = 16000 + 123
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := pcmMic(pcm).Open(g)
		return &audiotest.UnpluggedSource{Src: s, FailAfter: failAfter}, err
	})
	sink := &audiotest.Sink{}
	rec, err := audio.Start(sess.Grant(), mic, sink, audio.Options{NewEncoder: audiotest.NewRawEncoder})
	if err != nil {
		t.Fatal(err)
	}
	end := rec.Wait()
	if end.Reason != audio.EndSourceFailed || !errors.Is(end.Err, audio.ErrDeviceLost) {
		t.Fatalf("end %v, want source failed with ErrDeviceLost", end)
	}
	if got := audiotest.Samples(sink.Bytes()); !slices.Equal(got, pcm[:failAfter]) {
		t.Errorf("kept %d samples, want %d", len(got), failAfter)
	}
	if end.Kept != end.Captured {
		t.Errorf("kept %v of %v", end.Kept, end.Captured)
	}
	t.Log(end)
}

// TestSinkFailure: the disk fills at the third piece; capture stops, the
// first two pieces are what is kept, nothing more is written.
func TestSinkFailure(t *testing.T) {
	pcm := speech(t)
	sess := audiotest.NewSession(t)
	errFull := errors.New("disk full")
	sink := &audiotest.Sink{Fail: func(i int) error {
		if i >= 2 {
			return errFull
		}
		return nil
	}}
	var src *audiotest.CountingSource
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := pcmMic(slices.Concat(pcm, pcm, pcm)).Open(g)
		src = &audiotest.CountingSource{Src: s}
		return src, err
	})
	rec, err := audio.Start(sess.Grant(), mic, sink, audio.Options{NewEncoder: audiotest.NewRawEncoder})
	if err != nil {
		t.Fatal(err)
	}
	end := rec.Wait()
	if end.Reason != audio.EndSinkFailed || !errors.Is(end.Err, errFull) {
		t.Fatalf("end %v", end)
	}
	if len(sink.Writes) != 2 {
		t.Errorf("%d writes accepted, want 2", len(sink.Writes))
	}
	if end.Kept < 2*time.Second || end.Kept > 2*time.Second+40*time.Millisecond {
		t.Errorf("kept %v, want about 2 s", end.Kept)
	}
	if end.Bytes != int64(sink.MP3.Len()) {
		t.Errorf("end says %d bytes, sink has %d", end.Bytes, sink.MP3.Len())
	}
	if !src.Closed() {
		t.Error("source left open")
	}
	t.Log(end)
}

// levelLog keeps what OnLevel gets, which comes from a goroutine of its
// own and may come after the recording has ended.
type levelLog struct {
	mu  sync.Mutex
	got []audio.Level
}

func (l *levelLog) add(v audio.Level) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, v)
}

// until waits (at most a second) for a Level with Elapsed d, the last a
// recording of d gives, and returns every Level so far.
func (l *levelLog) until(t *testing.T, d time.Duration) []audio.Level {
	t.Helper()
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		l.mu.Lock()
		got := slices.Clone(l.got)
		l.mu.Unlock()
		if len(got) > 0 && got[len(got)-1].Elapsed >= d || time.Now().After(deadline) {
			return got
		}
	}
}

// TestLevels: a 1 kHz sine at half scale reads -9 dBFS RMS and -6 dBFS
// peak, 20 times a second of audio from a source at the pace of a
// microphone, with Elapsed counting up. From a source faster than real
// time the meter gets fewer, at most one per 25 ms of wall time, and ends
// on the last.
func TestLevels(t *testing.T) {
	sine := make([]int16, 3*16000)
	for i := range sine {
		sine[i] = int16(16384 * math.Sin(2*math.Pi*1000*float64(i)/16000))
	}
	check := func(t *testing.T, levels []audio.Level) {
		t.Helper()
		for i, l := range levels {
			if math.Abs(l.RMS-(-9.03)) > 0.1 || math.Abs(l.Peak-(-6.02)) > 0.1 {
				t.Errorf("level %d: %+v", i, l)
			}
			if l.Elapsed%(50*time.Millisecond) != 0 || i > 0 && l.Elapsed <= levels[i-1].Elapsed {
				t.Errorf("level %d elapsed %v after %v", i, l.Elapsed, levels[i-1].Elapsed)
			}
		}
	}
	sess := audiotest.NewSession(t)
	t.Run("paced", func(t *testing.T) {
		var log levelLog
		paced := &testmic.PacedReader{PCM: audiotest.Bytes(sine)}
		rec, err := audio.Start(sess.Grant(), audio.PCMMic{R: io.LimitReader(paced, 2*16000)}, &audiotest.Sink{}, audio.Options{
			NewEncoder: audiotest.NewRawEncoder,
			OnLevel:    log.add,
		})
		if err != nil {
			t.Fatal(err)
		}
		rec.Wait()
		levels := log.until(t, time.Second)
		if len(levels) != 20 || levels[0].Elapsed != 50*time.Millisecond {
			t.Fatalf("%d levels for 1 s, from %v; want 20, none skipped", len(levels), levels[0].Elapsed)
		}
		check(t, levels)
	})
	t.Run("faster than real time", func(t *testing.T) {
		var log levelLog
		start := time.Now()
		rec, err := audio.Start(sess.Grant(), audio.PCMMic{R: &audiotest.Loop{B: audiotest.Bytes(sine), N: 1 << 40}}, &audiotest.Sink{}, audio.Options{
			NewEncoder: audiotest.NewRawEncoder,
			OnLevel:    log.add,
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the wall time is what is under test
		end := rec.Stop()
		last := end.Captured.Truncate(audio.LevelInterval)
		levels := log.until(t, last)
		wall := time.Since(start)
		t.Logf("%d levels for %v of audio captured in %v", len(levels), end.Captured, wall)
		if len(levels) < 2 {
			t.Fatalf("%d levels in %v", len(levels), wall)
		}
		if n := len(levels); levels[n-1].Elapsed != last || n > int(wall/(25*time.Millisecond))+2 {
			t.Errorf("%d levels in %v of wall time, the last at %v; want at most one per 25 ms, ending at %v", n, wall, levels[n-1].Elapsed, last)
		}
		check(t, levels)
	})
	for _, c := range []struct {
		pcm       []int16
		rms, peak float64
	}{
		{nil, audio.MinDBFS, audio.MinDBFS},
		{make([]int16, 100), audio.MinDBFS, audio.MinDBFS},
		{[]int16{-32768, 32767, -32768, 32767}, 0, 0},
		{[]int16{1, -1}, -90.3, -90.3},
	} {
		l := audio.MeasureLevel(c.pcm)
		if math.Abs(l.RMS-c.rms) > 0.05 || math.Abs(l.Peak-c.peak) > 0.05 {
			t.Errorf("MeasureLevel(%v) = %+v, want %.1f/%.1f", c.pcm, l, c.rms, c.peak)
		}
	}
}

// TestOnLevelCannotHoldTheMicrophone: the meter's callback waits for a
// lock that the caller of Stop holds (as a session's does, when it runs
// on the screen's thread once the screen has gone). Stop must still close
// the microphone and return; the callback finishes when the lock is free.
func TestOnLevelCannotHoldTheMicrophone(t *testing.T) {
	sess := audiotest.NewSession(t)
	var src *audiotest.CountingSource
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := audio.PCMMic{R: zeros{}}.Open(g)
		src = &audiotest.CountingSource{Src: s}
		return src, err
	})
	var lock sync.Mutex
	entered := make(chan struct{})
	var once sync.Once
	var calls atomic.Int32
	rec, err := audio.Start(sess.Grant(), mic, &audiotest.Sink{}, audio.Options{
		NewEncoder: audiotest.NewRawEncoder,
		OnLevel: func(audio.Level) {
			once.Do(func() { close(entered) })
			lock.Lock()
			calls.Add(1)
			lock.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	lock.Lock() // what Stop's caller holds
	<-entered
	stopped := make(chan audio.End, 1)
	go func() { stopped <- rec.Stop() }()
	select {
	case end := <-stopped:
		if end.Reason != audio.EndStopped || !src.Closed() {
			t.Errorf("end %v, source closed %v", end, src.Closed())
		}
		if end.StopLatency > 100*time.Millisecond {
			t.Errorf("the microphone closed %v after Stop", end.StopLatency)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Stop waits for a callback that waits for Stop's caller: deadlock")
	}
	lock.Unlock()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond) // the waiting callback goes on
	}
}

// TestStopWhileCapturing stops a long recording part-way and measures how
// soon the input is closed (pure Go; the microphone's figure is in
// audio/portaudio's tests).
func TestStopWhileCapturing(t *testing.T) {
	pcm := speech(t)
	sess := audiotest.NewSession(t)
	var lats []time.Duration
	for range 20 {
		sink := &audiotest.Sink{}
		src := &audiotest.Loop{B: audiotest.Bytes(pcm), N: 1 << 40}
		started := make(chan struct{})
		var once sync.Once
		rec, err := audio.Start(sess.Grant(), audio.PCMMic{R: src}, sink, audio.Options{
			NewEncoder: audiotest.NewRawEncoder,
			OnLevel: func(l audio.Level) {
				if l.Elapsed >= 500*time.Millisecond {
					once.Do(func() { close(started) })
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		<-started
		end := rec.Stop()
		if end.Reason != audio.EndStopped || end.Kept != end.Captured {
			t.Fatalf("end %v", end)
		}
		if got := int64(sink.MP3.Len()); got != end.Bytes || time.Duration(got/2)*time.Second/16000 != end.Captured {
			t.Errorf("sink has %d bytes for %v captured", got, end.Captured)
		}
		lats = append(lats, end.StopLatency)
	}
	slices.Sort(lats)
	t.Logf("stop → input closed: p50 %v, max %v", lats[len(lats)/2], lats[len(lats)-1])
}

// TestStartErrors covers options and a failing encoder.
func TestStartErrors(t *testing.T) {
	sess := audiotest.NewSession(t)
	g := sess.Grant()
	mic := pcmMic(make([]int16, 100))
	if _, err := audio.Start(g, mic, &audiotest.Sink{}, audio.Options{}); !errors.Is(err, audio.ErrOptions) {
		t.Errorf("no encoder: %v", err)
	}
	if _, err := audio.Start(g, mic, nil, audio.Options{NewEncoder: audiotest.NewRawEncoder}); !errors.Is(err, audio.ErrOptions) {
		t.Errorf("no sink: %v", err)
	}
	if _, err := audio.Start(g, nil, &audiotest.Sink{}, audio.Options{NewEncoder: audiotest.NewRawEncoder}); !errors.Is(err, audio.ErrOptions) {
		t.Errorf("no mic: %v", err)
	}
	errEnc := errors.New("no encoder today")
	var src *audiotest.CountingSource
	counting := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := mic.Open(g)
		src = &audiotest.CountingSource{Src: s}
		return src, err
	})
	_, err := audio.Start(g, counting, &audiotest.Sink{}, audio.Options{NewEncoder: func(w io.Writer, rate int) (audio.Encoder, error) {
		return nil, errEnc
	}})
	if !errors.Is(err, errEnc) {
		t.Errorf("failing encoder: %v", err)
	}
	if !src.Closed() || src.Reads() != 0 {
		t.Errorf("source after a failed start: closed %v, %d reads", src.Closed(), src.Reads())
	}
	if _, err := audio.Start(g, audio.MicFunc(func(consent.Grant) (audio.Source, error) {
		return nil, audio.ErrNoInputDevice
	}), &audiotest.Sink{}, audio.Options{NewEncoder: audiotest.NewRawEncoder}); !errors.Is(err, audio.ErrNoInputDevice) {
		t.Errorf("no device: %v", err)
	}
}

// TestChimesPlayed: with a Speaker, the start chime plays when capture
// begins and the stop chime when it ends.
func TestChimesPlayed(t *testing.T) {
	sess := audiotest.NewSession(t)
	spk := &audiotest.Speaker{}
	rec, err := audio.Start(sess.Grant(), pcmMic(speech(t)), &audiotest.Sink{}, audio.Options{
		NewEncoder: audiotest.NewRawEncoder,
		Speaker:    spk,
	})
	if err != nil {
		t.Fatal(err)
	}
	rec.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		outs := spk.Outputs()
		n := len(outs)
		if n == 2 && outs[0].Drained() && outs[1].Drained() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d chimes opened; want both played", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStalledSinkDoesNotHoldTheMicrophone: the disk stops answering during
// a recording (a FAKE: see audiotest.StalledSink), so the encoder waits
// inside the Sink's Write and the queue to it fills. A pause (the Grant
// revoked) or Stop must still close the microphone within the design's
// 100 ms, with nothing read after it; what was captured before is written
// once the disk answers again, and End says so.
func TestStalledSinkDoesNotHoldTheMicrophone(t *testing.T) {
	for _, how := range []string{"grant revoked", "Stop"} {
		t.Run(how, func(t *testing.T) {
			var worst time.Duration
			for range 10 {
				worst = max(worst, stallAndStop(t, how))
			}
			t.Logf("%s with the sink stalled: the microphone closed within %v (worst of 10)", how, worst)
			if worst > 100*time.Millisecond {
				t.Errorf("the microphone was closed up to %v after %s, want within 100 ms", worst, how)
			}
		})
	}
}

// stallAndStop records endless silence into a sink that stalls at its
// second piece, waits until capture has filled the queue, ends the
// recording by how, and returns how long the Source stayed open after.
func stallAndStop(t *testing.T, how string) time.Duration {
	t.Helper()
	sess := audiotest.NewSession(t)
	sink := audiotest.NewStalledSink(1)
	defer sink.Release()
	var src *audiotest.CountingSource
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := audio.PCMMic{R: zeros{}}.Open(g)
		src = &audiotest.CountingSource{Src: s}
		return src, err
	})
	rec, err := audio.Start(sess.Grant(), mic, sink, audio.Options{NewEncoder: audiotest.NewRawEncoder, ChunkDuration: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	<-sink.Stalled()
	// Capture runs on until the queue is full, then waits for the encoder.
	for n := -1; n != src.Reads(); {
		n = src.Reads()
		time.Sleep(20 * time.Millisecond) // the reads, not the time, are the condition
	}
	reads := src.Reads()
	stopped := make(chan audio.End, 1)
	at := time.Now()
	if how == "Stop" {
		go func() { stopped <- rec.Stop() }()
	} else {
		sess.Pause(t)
	}
	for !src.Closed() && time.Since(at) < time.Second {
		time.Sleep(time.Millisecond)
	}
	open := time.Since(at)
	if !src.Closed() {
		t.Fatalf("%s: the microphone is still open %v later, with the sink stalled", how, open)
	}
	if src.Reads() > reads+1 {
		t.Errorf("%d reads after %s", src.Reads()-reads, how)
	}
	sink.Release()
	end := rec.Wait()
	want := audio.EndGrantInvalid
	if how == "Stop" {
		want = audio.EndStopped
		<-stopped
	}
	if end.Reason != want || end.Err != nil || end.Kept != end.Captured || end.Captured < 5*time.Second {
		t.Errorf("end %v, want %v with all of the queue's 5 s or more kept", end, want)
	}
	if got := time.Duration(sink.MP3.Len()/2) * time.Second / 16000; got != end.Captured {
		t.Errorf("the sink got %v of audio; end %v", got, end)
	}
	return open
}
