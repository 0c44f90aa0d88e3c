package audio

import (
	"math"
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
