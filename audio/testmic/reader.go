package testmic

import (
	"sync/atomic"
	"time"
)

// PacedReader is an io.Reader of PCM (signed 16-bit little-endian mono)
// that gives its bytes no faster than a microphone would: by a time t
// after the first Read it has given at most Speed × (t − start) of audio.
// It loops over PCM for ever and never returns an error, so that an
// audio.PCMMic over it behaves like a live microphone for tests that do
// not need PortAudio (NewPaced is the same through the real device).
//
// Read blocks until it can give the whole of p, or at least 20 ms of
// audio, and returns whole samples only. A caller that reads late gets
// what it missed at once, as from a microphone's buffer.
//
// Read is for one goroutine; Captured may be called from any.
type PacedReader struct {
	// PCM is the audio to give, over and over; it must not be empty.
	PCM []byte
	// Rate is PCM's sample rate in Hz; 0 means Rate (16 kHz).
	Rate int
	// Speed is how many seconds of audio a second of wall time gives;
	// 0 means 1 (real time). A test of hours of audio may run faster.
	Speed float64
	// OnStart, if set, is called once, at the first Read, with the time
	// that pacing starts from.
	OnStart func(start time.Time)

	start time.Time
	given atomic.Int64 // bytes given so far
}

// Read fills p with the next PCM bytes that are due; see PacedReader.
func (r *PacedReader) Read(p []byte) (int, error) {
	if r.start.IsZero() {
		r.start = time.Now()
		if r.OnStart != nil {
			r.OnStart(r.start)
		}
	}
	want := int64(len(p)) &^ 1
	if want == 0 {
		return 0, nil
	}
	perSecond := r.bytesPerSecond()
	enough := min(want, int64(perSecond/50)) // all of p, or 20 ms
	for {
		due := int64(time.Since(r.start).Seconds()*perSecond) &^ 1
		avail := due - r.given.Load()
		if avail > 0 && avail >= enough {
			n := min(avail, want)
			given := r.given.Load()
			for i := range n {
				p[i] = r.PCM[(given+i)%int64(len(r.PCM))]
			}
			r.given.Add(n)
			return int(n), nil
		}
		time.Sleep(time.Duration(float64(enough-avail) / perSecond * float64(time.Second)))
	}
}

// Captured is how much audio Read has given so far (audio time: at Speed
// 4, four times the wall time).
func (r *PacedReader) Captured() time.Duration {
	return time.Duration(r.given.Load()/2) * time.Second / time.Duration(r.rate())
}

func (r *PacedReader) rate() int {
	if r.Rate == 0 {
		return Rate
	}
	return r.Rate
}

func (r *PacedReader) bytesPerSecond() float64 {
	speed := r.Speed
	if speed == 0 {
		speed = 1
	}
	return 2 * float64(r.rate()) * speed
}
