package testmic_test

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/assent-recorder/assent/audio/testmic"
)

// TestArecordCapturesFixture records from the default ALSA device with
// arecord, as any ALSA program would, and checks that it hears exactly the
// fixture's samples and then silence.
func TestArecordCapturesFixture(t *testing.T) {
	if _, err := exec.LookPath("arecord"); err != nil {
		t.Fatal("arecord is missing: run `make test`, or apt-get install alsa-utils")
	}
	mic := testmic.New(t, "Assent records only with your yes.")
	want, err := os.ReadFile(mic.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < testmic.Rate { // under half a second of speech: espeak-ng misbehaved
		t.Fatalf("fixture is only %d bytes", len(want))
	}
	seconds := len(want)/(2*testmic.Rate) + 2
	out := mic.Home + "/captured.raw"
	cmd := exec.Command("arecord", "-q", "-f", "S16_LE", "-r", "16000", "-c", "1",
		"-d", strconv.Itoa(seconds), "-t", "raw", out)
	cmd.Env = mic.Env()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("arecord: %v: %s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < len(want) {
		t.Fatalf("captured %d bytes, fixture has %d", len(got), len(want))
	}
	if !bytes.Equal(got[:len(want)], want) {
		t.Fatal("captured audio differs from the fixture")
	}
	samples := mic.Samples(t)
	var loud int
	for _, s := range samples {
		if s > 3000 || s < -3000 {
			loud++
		}
	}
	if loud < len(samples)/50 {
		t.Fatalf("fixture is nearly silent: %d loud samples of %d", loud, len(samples))
	}
}
