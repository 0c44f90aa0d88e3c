package audio

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// PeakInterval is how much audio each Peak covers.
const PeakInterval = 50 * time.Millisecond

// Peak is the lowest and highest sample of PeakInterval of audio: one
// column of a waveform drawing. An hour is 72 000 Peaks (288 kB), so the
// library draws a whole session without decoding its MP3.
type Peak struct {
	Min int16 // the lowest sample
	Max int16 // the highest sample
}

// peakMeter accumulates samples and completes a Peak every window.
type peakMeter struct {
	window int
	n      int
	cur    Peak
	done   []Peak // completed, not yet taken
}

func newPeakMeter(rate int) *peakMeter {
	return &peakMeter{window: peakWindow(rate)}
}

// peakWindow is the number of samples per Peak at rate Hz.
func peakWindow(rate int) int {
	return max(1, rate*int(PeakInterval/time.Millisecond)/1000)
}

func (m *peakMeter) add(pcm []int16) {
	for len(pcm) > 0 {
		seg := pcm[:min(len(pcm), m.window-m.n)]
		pcm = pcm[len(seg):]
		lo, hi := m.cur.Min, m.cur.Max
		if m.n == 0 {
			lo, hi = seg[0], seg[0]
		}
		for _, s := range seg {
			lo = min(lo, s)
			hi = max(hi, s)
		}
		m.cur = Peak{Min: lo, Max: hi}
		m.n += len(seg)
		if m.n == m.window {
			m.done = append(m.done, m.cur)
			m.n = 0
		}
	}
}

// take returns the completed Peaks and, if final, the partial last one;
// the returned slice is valid until the next add or take.
func (m *peakMeter) take(final bool) []Peak {
	if final && m.n > 0 {
		m.done = append(m.done, m.cur)
		m.n = 0
	}
	p := m.done
	m.done = m.done[:0]
	return p
}

// ComputePeaks returns the Peaks of mono pcm at rate Hz: one per
// PeakInterval, the last covering what remains. It returns nil for empty
// pcm or a rate that is not positive.
func ComputePeaks(pcm []int16, rate int) []Peak {
	if rate <= 0 || len(pcm) == 0 {
		return nil
	}
	m := newPeakMeter(rate)
	m.add(pcm)
	return append([]Peak(nil), m.take(true)...)
}

// DecodePeaks decodes the MP3 in r and returns its Peaks, one per
// PeakInterval of decoded audio (both channels of a stereo file count), and
// the decoded sample rate. It is for recordings whose Peaks were not kept;
// Recorder hands them to the Sink as it goes. Errors wrap ErrFormat when r
// is not MP3 that go-mp3 reads.
func DecodePeaks(r io.Reader) ([]Peak, int, error) {
	dec, err := newMP3Decoder(r)
	if err != nil {
		return nil, 0, err
	}
	rate := dec.SampleRate()
	m := newPeakMeter(rate)
	m.window *= 2 // two interleaved channels per frame
	buf := make([]byte, 16*1024)
	pcm := make([]int16, len(buf)/2)
	var peaks []Peak
	for {
		n, err := io.ReadFull(dec, buf)
		n -= n % 2
		for i := range n / 2 {
			pcm[i] = int16(uint16(buf[2*i]) | uint16(buf[2*i+1])<<8)
		}
		m.add(pcm[:n/2])
		peaks = append(peaks, m.take(false)...)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if errors.Is(err, ErrFormat) {
			return nil, 0, err
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%w: decode MP3: %w", ErrFormat, err)
		}
	}
	return append(peaks, m.take(true)...), rate, nil
}
