package portaudio_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/audio/lame"
)

// TestStalledSinkClosesTheDevice is audio's
// TestStalledSinkDoesNotHoldTheMicrophone on the real device: the disk
// stops answering (a FAKE: see audiotest.StalledSink) while the unpaced
// test microphone fills the queue to the encoder; the client pauses; the
// device's file must be closed within 100 ms, and what was captured is
// written once the disk answers again.
func TestStalledSinkClosesTheDevice(t *testing.T) {
	mic, host := setup(t, sentence)
	var lats []time.Duration
	for range 10 {
		sess := audiotest.NewSession(t)
		sink := audiotest.NewStalledSink(1)
		rec, err := audio.Start(sess.Grant(), host.Mic(""), sink, audio.Options{
			NewEncoder:    lame.NewFunc(lame.Options{}),
			ChunkDuration: 250 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		<-sink.Stalled()
		// Capture runs on until the queue is full, then waits.
		for d := time.Duration(-1); d != rec.Elapsed(); {
			d = rec.Elapsed()
			time.Sleep(20 * time.Millisecond) // the audio captured, not the time, is the condition
		}
		at := time.Now()
		sess.Pause(t)
		for fixtureOpen(t, mic.Infile) && time.Since(at) < time.Second {
			time.Sleep(time.Millisecond)
		}
		lats = append(lats, time.Since(at))
		if fixtureOpen(t, mic.Infile) {
			sink.Release()
			t.Fatalf("the device is still open %v after the pause, with the sink stalled", time.Since(at))
		}
		sink.Release()
		end := rec.Wait()
		if end.Reason != audio.EndGrantInvalid || end.Err != nil || end.Kept != end.Captured {
			t.Errorf("end %v, want the grant invalid and everything captured kept", end)
		}
	}
	slices.Sort(lats)
	t.Logf("pause → device closed, with the sink stalled, over %d runs: p50 %v, max %v", len(lats), lats[len(lats)/2], lats[len(lats)-1])
	if worst := lats[len(lats)-1]; worst > 100*time.Millisecond {
		t.Errorf("the device was closed up to %v after the pause, want within 100 ms", worst)
	}
}

// fileSink writes the recording to a file and syncs it after every piece,
// as storage's sealing writer does, so that Stop waits for a real disk.
type fileSink struct{ f *os.File }

func (s fileSink) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	if err == nil {
		err = s.f.Sync()
	}
	return n, err
}

func (s fileSink) WritePeaks([]audio.Peak) error { return nil }

// TestStopUnderUnpacedLoad: the unpaced test microphone delivers audio as
// fast as it is read, so the encoder (real LAME) and the disk (a file
// synced after every piece) are as far behind the microphone as they can
// ever be. Stop must still return within 1 s: it closes the device at
// once, and what it waits for is only what was already queued.
func TestStopUnderUnpacedLoad(t *testing.T) {
	mic, host := setup(t, sentence)
	sess := audiotest.NewSession(t)
	var took []time.Duration
	for i := range 5 {
		f, err := os.Create(filepath.Join(t.TempDir(), "recording.mp3"))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := audio.Start(sess.Grant(), host.Mic(""), fileSink{f}, audio.Options{
			NewEncoder:    lame.NewFunc(lame.Options{}),
			ChunkDuration: 250 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second) // the load itself: a second of racing ahead
		at := time.Now()
		end := rec.Stop()
		took = append(took, time.Since(at))
		f.Close()
		if end.Reason != audio.EndStopped || end.Err != nil || end.Kept != end.Captured {
			t.Errorf("run %d: end %v", i, end)
		}
		if fixtureOpen(t, mic.Infile) {
			t.Errorf("run %d: the device is open after Stop", i)
		}
		t.Logf("run %d: %v; Stop returned after %v", i, end, took[i].Round(time.Millisecond))
	}
	slices.Sort(took)
	t.Logf("Stop under the unpaced load, over %d runs: p50 %v, max %v", len(took), took[len(took)/2], took[len(took)-1])
	if worst := took[len(took)-1]; worst > time.Second {
		t.Errorf("Stop took up to %v with the encoder behind the microphone, want within 1 s", worst)
	}
}
