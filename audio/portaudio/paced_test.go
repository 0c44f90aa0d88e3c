package portaudio_test

import (
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/audio/portaudio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
)

// pacedBound is how far the audio captured in a recording of the paced
// test microphone may be from the wall time it took.
const pacedBound = 300 * time.Millisecond

// record opens the default input under g and reads it for wall of wall
// time, timed from the first read's return (the device is open by then),
// and returns the samples and the wall time they took.
func record(t *testing.T, host *portaudio.Host, g consent.Grant, wall time.Duration) ([]int16, time.Duration) {
	t.Helper()
	src, err := host.Mic("").Open(g)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []int16
	buf := make([]int16, 320)
	var start time.Time
	for start.IsZero() || time.Since(start) < wall {
		n, err := src.Read(buf)
		if err != nil {
			t.Fatalf("after %d samples: %v", len(got), err)
		}
		if start.IsZero() {
			start = time.Now()
		}
		got = append(got, buf[:n]...)
	}
	took := time.Since(start)
	if n := src.(*portaudio.Input).Overflows(); n > 0 {
		t.Logf("%d overflows", n)
	}
	return got, took
}

// duration is how long n samples at 16 kHz play.
func duration(n int) time.Duration { return time.Duration(n) * time.Second / audio.SpeechRate }

// looped is the fixture repeated to n samples, as the paced microphone
// plays it (whole 20 ms blocks).
func looped(fixture []int16, n int) []int16 {
	fixture = fixture[:len(fixture)/320*320]
	out := make([]int16, n)
	for i := range out {
		out[i] = fixture[i%len(fixture)]
	}
	return out
}

// TestPacedCapture records three seconds of wall time through PortAudio
// from the paced test microphone, twice, with a device scan in between:
// each time the audio captured is the wall time within pacedBound, and it
// is the fixture's speech. A device that is not paced fails the same
// check (the control below), so the check can see what it claims to.
func TestPacedCapture(t *testing.T) {
	mic := testmic.NewPaced(t, sentence)
	host := newHost(t, mic)
	sess := audiotest.NewSession(t)
	fixture := mic.Samples(t)
	for run := range 2 {
		before := mic.Feeder.Delivered()
		got, wall := record(t, host, sess.Grant(), 3*time.Second)
		captured := duration(len(got))
		t.Logf("run %d: captured %v in %v of wall time (ratio %.3f); the Feeder delivered %v",
			run, captured, wall, captured.Seconds()/wall.Seconds(), mic.Feeder.Delivered()-before)
		if d := captured - wall; d > pacedBound || d < -pacedBound {
			t.Errorf("run %d: captured %v in %v of wall time: not paced within %v", run, captured, wall, pacedBound)
		}
		if delivered := mic.Feeder.Delivered() - before; captured > delivered+testmic.InFlight {
			t.Errorf("run %d: captured %v, more than the %v the Feeder delivered and the pipe held", run, captured, delivered)
		}
		// The device may have been reopened within a block of a scan's
		// open (see testmic.Feeder), so the speech may start a few blocks
		// into the fixture: look for it over the first 200 ms.
		sim, lag := audiotest.Similarity(got[:audio.SpeechRate/2], looped(fixture, len(got)+3200), 3200)
		if sim < 0.99 || lag%320 != 0 {
			t.Fatalf("run %d: the first half second matches the fixture %.3f at lag %d samples", run, sim, lag)
		}
		sim, _ = audiotest.Similarity(looped(fixture, len(got)+lag)[lag:], got, 0)
		t.Logf("run %d: similarity to the fixture %.4f from sample %d", run, sim, lag)
		if sim < 0.99 {
			t.Errorf("run %d: captured speech similarity %.3f < 0.99", run, sim)
		}
		// PortAudio's scans open and close the device; the Feeder must
		// carry on through them.
		if _, err := host.InputDevices(); err != nil {
			t.Fatal(err)
		}
		if err := host.Rescan(); err != nil {
			t.Fatal(err)
		}
	}

	// PortAudio reads the ALSA configuration afresh only once every Host
	// is closed.
	if err := host.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("control", func(t *testing.T) {
		// The same recording from New's unpaced device: it runs ahead.
		_, host := setup(t, sentence)
		got, wall := record(t, host, sess.Grant(), 100*time.Millisecond)
		t.Logf("unpaced: captured %v in %v", duration(len(got)), wall)
		if duration(len(got))-wall <= pacedBound {
			t.Errorf("the unpaced device captured %v in %v: the check cannot tell paced from unpaced", duration(len(got)), wall)
		}
	})
}
