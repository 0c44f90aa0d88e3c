package audio

import (
	"math"
	"sync"
	"time"
)

// MinDBFS is the floor of the level meter: silence (digital zero) and
// anything quieter than one part in 63 000 read as MinDBFS rather than
// minus infinity. 16-bit audio cannot say anything quieter.
const MinDBFS = -96.0

// LevelInterval is how much audio each Level covers: the recorder reports
// about 20 levels a second.
const LevelInterval = 50 * time.Millisecond

// Level is the loudness of the last LevelInterval of captured audio, for
// the meter on the client screen, and how long the recording has run.
type Level struct {
	// RMS is the root-mean-square level in dBFS, from MinDBFS to 0. A full
	// scale square wave reads 0, a full-scale sine about -3, quiet speech
	// at arm's length typically -40 to -25.
	RMS float64
	// Peak is the largest absolute sample in dBFS, from MinDBFS to 0.
	Peak float64
	// Elapsed is how much audio has been captured so far (audio time, so
	// it stops when capture stops).
	Elapsed time.Duration
}

// MeasureLevel returns the RMS and peak of pcm in dBFS (Elapsed is zero).
// An empty pcm reads MinDBFS.
func MeasureLevel(pcm []int16) Level {
	var sum float64
	var peak int32
	for _, s := range pcm {
		v := int32(s)
		sum += float64(v * v)
		if v < 0 {
			v = -v
		}
		peak = max(peak, v)
	}
	if len(pcm) == 0 {
		return Level{RMS: MinDBFS, Peak: MinDBFS}
	}
	return Level{RMS: dbfs(math.Sqrt(sum / float64(len(pcm)))), Peak: dbfs(float64(peak))}
}

// dbfs converts an amplitude in sample units to dBFS, floored at MinDBFS.
func dbfs(amplitude float64) float64 {
	if amplitude <= 0 {
		return MinDBFS
	}
	return max(MinDBFS, 20*math.Log10(amplitude/32768))
}

// levelMeter accumulates samples and emits a Level for every window.
type levelMeter struct {
	window  int // samples per Level
	rate    int
	n       int // samples in the current window
	sum     float64
	peak    int32
	elapsed int64 // samples measured so far
}

func newLevelMeter(rate int) *levelMeter {
	return &levelMeter{window: max(1, rate*int(LevelInterval/time.Millisecond)/1000), rate: rate}
}

// add measures pcm, calling emit for each window completed.
func (m *levelMeter) add(pcm []int16, emit func(Level)) {
	for len(pcm) > 0 {
		seg := pcm[:min(len(pcm), m.window-m.n)]
		pcm = pcm[len(seg):]
		var sum int64 // holds 2^33 squares of int16, far more than a window
		peak := m.peak
		for _, s := range seg {
			v := int32(s)
			sum += int64(v * v)
			peak = max(peak, v, -v)
		}
		m.sum += float64(sum)
		m.peak = peak
		m.n += len(seg)
		if m.n == m.window {
			m.elapsed += int64(m.n)
			if emit != nil {
				emit(Level{
					RMS:     dbfs(math.Sqrt(m.sum / float64(m.n))),
					Peak:    dbfs(float64(m.peak)),
					Elapsed: samplesToDuration(m.elapsed, m.rate),
				})
			}
			m.n, m.sum, m.peak = 0, 0, 0
		}
	}
}

// samplesToDuration converts a sample count at rate Hz to a duration.
func samplesToDuration(n int64, rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(n * int64(time.Second) / int64(rate))
}

// levelSpacing is the least wall time between two OnLevel calls. A live
// microphone completes a Level at most every 40 ms (two 20 ms reads), so
// none of its Levels is skipped; a Source faster than real time, which
// completes thousands a second, is shown at the pace of a screen.
const levelSpacing = LevelInterval / 2

// levelPost carries Levels from the capture goroutine to an OnLevel
// callback on a goroutine of its own. Capture only leaves the latest Level
// and goes on: nothing the callback does (a busy screen, a lock that
// Stop's caller holds) can hold up capture, and so keep the microphone
// open. At most one call is made per levelSpacing of wall time, with the
// latest Level; those in between are skipped. A nil *levelPost (no
// callback) takes Levels and drops them.
type levelPost struct {
	on   func(Level)
	wake chan struct{} // capacity 1: something to look at

	mu     sync.Mutex
	latest Level
	fresh  bool // latest has not been delivered
	closed bool
}

// newLevelPost starts delivering to on; nil when on is nil.
func newLevelPost(on func(Level)) *levelPost {
	if on == nil {
		return nil
	}
	p := &levelPost{on: on, wake: make(chan struct{}, 1)}
	go p.deliver()
	return p
}

// put leaves l to be delivered, in place of any not yet delivered. It
// never waits for the callback.
func (p *levelPost) put(l Level) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.latest, p.fresh = l, true
	p.mu.Unlock()
	p.poke()
}

// close ends delivery without waiting for the callback: the latest Level,
// if the callback has not had it, is still delivered (so that a meter ends
// on the last Level), and nothing after it.
func (p *levelPost) close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.poke()
}

func (p *levelPost) poke() {
	select {
	case p.wake <- struct{}{}:
	default: // already poked
	}
}

func (p *levelPost) deliver() {
	var last time.Time
	for range p.wake {
		time.Sleep(time.Until(last.Add(levelSpacing))) // newer Levels replace the latest meanwhile
		p.mu.Lock()
		l, fresh, closed := p.latest, p.fresh, p.closed
		p.fresh = false
		p.mu.Unlock()
		if fresh {
			p.on(l)
			last = time.Now()
		}
		if closed {
			return
		}
	}
}
