package testmic_test

import (
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio/testmic"
)

// TestPacedReader: the PCM reader gives its PCM, looped, no faster than
// Speed times the wall clock, and says how much it gave.
func TestPacedReader(t *testing.T) {
	pcm := make([]byte, 2*testmic.Rate/10) // 100 ms of a ramp
	for i := range pcm {
		pcm[i] = byte(i)
	}
	for _, speed := range []float64{0, 4} {
		var started time.Time
		r := &testmic.PacedReader{PCM: pcm, Speed: speed, OnStart: func(at time.Time) {
			if !started.IsZero() {
				t.Error("OnStart called twice")
			}
			started = at
		}}
		var got []byte
		buf := make([]byte, 1001) // odd: whole samples only
		for started.IsZero() || time.Since(started) < 500*time.Millisecond {
			n, err := r.Read(buf)
			if err != nil || n%2 != 0 {
				t.Fatalf("Read: %d, %v", n, err)
			}
			got = append(got, buf[:n]...)
		}
		wall := time.Since(started)
		factor := max(speed, 1)
		audio := time.Duration(float64(audioOf(len(got))) / factor) // in wall time
		t.Logf("speed %v: %v of audio in %v", speed, audioOf(len(got)), wall)
		if audio > wall || audio < wall-50*time.Millisecond {
			t.Errorf("speed %v: %v of audio in %v", speed, audioOf(len(got)), wall)
		}
		if r.Captured() != audioOf(len(got)) {
			t.Errorf("Captured %v, gave %v", r.Captured(), audioOf(len(got)))
		}
		for i, b := range got {
			if b != pcm[i%len(pcm)] {
				t.Fatalf("byte %d is %d, want the PCM looped", i, b)
			}
		}
	}
}
