package testmic_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio/testmic"
)

const speech = "Assent records only with your yes."

// block is one Block of the fixture in bytes.
const block = 2 * testmic.Rate / 50

// loop returns n bytes of pcm from off on, wrapping round as the Feeder
// does (which drops a last partial block).
func loop(pcm []byte, off, n int) []byte {
	pcm = pcm[:len(pcm)/block*block]
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, pcm[(off+len(out))%len(pcm)])
	}
	return out
}

// audioOf is how long n bytes of the fixture play.
func audioOf(n int) time.Duration {
	return time.Duration(n/2) * time.Second / testmic.Rate
}

// readFor reads r a block at a time, as audio/portaudio's Input reads the
// device, for d of wall time from the first block's arrival, and returns
// what it read and the wall time it took from then.
func readFor(t *testing.T, r io.Reader, d time.Duration) ([]byte, time.Duration) {
	t.Helper()
	var got []byte
	buf := make([]byte, block)
	var start time.Time
	for start.IsZero() || time.Since(start) < d {
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
		if start.IsZero() {
			start = time.Now()
		}
		got = append(got, buf...)
	}
	return got, time.Since(start)
}

// openPipe opens the paced device's pipe for reading, as ALSA's file
// plugin does when the capture device is opened.
func openPipe(t *testing.T, mic *testmic.Mic) *os.File {
	t.Helper()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("opening the pipe has waited 5 s for the Feeder")
		}
	}()
	f, err := os.Open(mic.Infile)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// paced checks that audio read over wall keeps to the clock: the first
// block may come at once, and the pipe may hold up to InFlight of older
// audio, but no more.
func paced(t *testing.T, what string, audio, wall time.Duration) {
	t.Helper()
	t.Logf("%s: %v of audio in %v of wall time (ratio %.3f)", what, audio, wall, audio.Seconds()/wall.Seconds())
	if audio > wall+testmic.InFlight+testmic.Block {
		t.Errorf("%s ran ahead of the clock: %v of audio in %v", what, audio, wall)
	}
	if audio < wall-100*time.Millisecond {
		t.Errorf("%s fell behind the clock: %v of audio in %v", what, audio, wall)
	}
}

// TestPacedPipeKeepsTime reads the paced device's pipe directly: two
// seconds of wall time give two seconds of the fixture, from its start,
// byte for byte, and the Feeder reports it.
func TestPacedPipeKeepsTime(t *testing.T) {
	mic := testmic.NewPaced(t, speech)
	f := mic.Feeder
	if f.Reading() || !f.FirstBlock().IsZero() || f.WaitReading(50*time.Millisecond) {
		t.Fatal("the Feeder reports a reader before anyone opened the device")
	}
	pcm, err := os.ReadFile(mic.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	r := openPipe(t, mic)
	defer r.Close()
	got, wall := readFor(t, r, 2*time.Second)
	paced(t, "the pipe", audioOf(len(got)), wall)
	if !bytes.Equal(got, loop(pcm, 0, len(got))) {
		t.Error("the pipe did not give the fixture from its start, looped")
	}
	if !f.WaitReading(time.Second) {
		t.Error("WaitReading: no reader reading while one reads")
	}
	first := f.FirstBlock()
	if first.Before(before) || first.After(time.Now().Add(-wall)) {
		t.Errorf("FirstBlock %v: not between the open and the first read", first)
	}
	if d := f.Delivered(); d < audioOf(len(got)) || d > audioOf(len(got))+testmic.InFlight {
		t.Errorf("Delivered %v for %v read", d, audioOf(len(got)))
	}
}

// waitGone waits until the Feeder has seen its reader go away, which it
// does at its next block.
func waitGone(t *testing.T, f *testmic.Feeder) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for f.Reading() || !f.FirstBlock().IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("the Feeder still reports a reader 1 s after it went away")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPacedReaderGoesAway: a reader that closes the device (PortAudio's
// scans do it all the time) leaves the Feeder, and the process, running;
// the next reader gets the fixture from its start at the pace of the
// clock, not the audio of the time nobody was reading.
func TestPacedReaderGoesAway(t *testing.T) {
	mic := testmic.NewPaced(t, speech)
	f := mic.Feeder
	pcm, err := os.ReadFile(mic.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	r := openPipe(t, mic)
	readFor(t, r, 300*time.Millisecond)
	r.Close() // the Feeder's next write fails with EPIPE
	waitGone(t, f)
	gone := f.Delivered()
	time.Sleep(500 * time.Millisecond)
	if d := f.Delivered(); d != gone {
		t.Errorf("%v delivered with no reader", d-gone)
	}

	r = openPipe(t, mic)
	defer r.Close()
	got, wall := readFor(t, r, time.Second)
	paced(t, "the second reader", audioOf(len(got)), wall)
	if !bytes.Equal(got, loop(pcm, 0, len(got))) {
		t.Error("the second reader did not get the fixture from its start")
	}
}

// TestPacedLateReader: a reader that opens the device and reads only
// later (a stream opened, then started) is not reading meanwhile, and
// then gets at most InFlight of older audio.
func TestPacedLateReader(t *testing.T) {
	mic := testmic.NewPaced(t, speech)
	f := mic.Feeder
	r := openPipe(t, mic)
	defer r.Close()
	if f.WaitReading(500 * time.Millisecond) {
		t.Error("WaitReading: reading, but the reader has not read")
	}
	if d := f.Delivered(); d > testmic.InFlight {
		t.Errorf("%v delivered to a reader that does not read; the pipe holds %v", d, testmic.InFlight)
	}
	got, wall := readFor(t, r, time.Second)
	paced(t, "a late reader", audioOf(len(got)), wall)
	if !f.Reading() {
		t.Error("Reading is false while reading")
	}
}

// TestPacedChildKilled is the crash trial's case: a child process
// (arecord, as the real binary would) records from the paced device and
// is killed with SIGKILL; the Feeder goes on, and the next child records
// at the pace of the clock.
func TestPacedChildKilled(t *testing.T) {
	if _, err := exec.LookPath("arecord"); err != nil {
		t.Fatal("arecord is missing: run `make test`, or apt-get install alsa-utils")
	}
	mic := testmic.NewPaced(t, speech)
	pcm, err := os.ReadFile(mic.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	out := mic.Home + "/captured.raw"
	arecord := func(seconds string) *exec.Cmd {
		// One block per read: see the package doc.
		cmd := exec.Command("arecord", "-q", "-f", "S16_LE", "-r", "16000", "-c", "1",
			"--period-size=320", "--buffer-size=3200", "-d", seconds, "-t", "raw", out)
		cmd.Env = mic.Env()
		return cmd
	}
	victim := arecord("10")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	if !mic.Feeder.WaitReading(5 * time.Second) {
		t.Fatal("the child is not reading the device")
	}
	time.Sleep(300 * time.Millisecond)
	victim.Process.Kill()
	err = victim.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child ended with %v, not by SIGKILL", err)
	}
	waitGone(t, mic.Feeder)

	next := arecord("2")
	var stderr bytes.Buffer
	next.Stderr = &stderr
	if err := next.Start(); err != nil {
		t.Fatal(err)
	}
	if !mic.Feeder.WaitReading(5 * time.Second) {
		t.Fatal("the next child is not reading the device")
	}
	// From the child's open of the device: its start-up is not recording.
	first := mic.Feeder.FirstBlock()
	if err := next.Wait(); err != nil {
		t.Fatalf("arecord: %v: %s", err, stderr.Bytes())
	}
	wall := time.Since(first)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if audioOf(len(got)) != 2*time.Second {
		t.Fatalf("arecord wrote %v of audio, asked for 2 s", audioOf(len(got)))
	}
	paced(t, "the next child", audioOf(len(got)), wall)
	if want := loop(pcm, 0, len(got)); !bytes.Equal(got, want) {
		i := 0
		for got[i] == want[i] {
			i++
		}
		t.Errorf("the next child did not get the fixture from its start: differs from byte %d (block %d)", i, i/block)
	}
}

// TestPacedStop: Stop returns at once, with a reader reading or not, and
// from then on the device gives end of file (silence) and opens without
// waiting.
func TestPacedStop(t *testing.T) {
	mic := testmic.NewPaced(t, speech)
	r := openPipe(t, mic)
	defer r.Close()
	readFor(t, r, 100*time.Millisecond)
	start := time.Now()
	mic.Feeder.Stop()
	mic.Feeder.Stop()
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Stop took %v", d)
	}
	if _, err := io.ReadAll(r); err != nil {
		t.Errorf("the open device after Stop: %v", err)
	}
	r2 := openPipe(t, mic)
	defer r2.Close()
	if b, err := io.ReadAll(r2); err != nil || len(b) != 0 {
		t.Errorf("a device opened after Stop gave %d bytes, %v; want silence", len(b), err)
	}
	if mic.Feeder.Reading() || !mic.Feeder.FirstBlock().IsZero() {
		t.Error("a stopped Feeder reports a reader")
	}
}
