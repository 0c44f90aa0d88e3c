package audiotest

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/assent-recorder/assent/audio"
)

// RawEncoder is a real, lossless audio.Encoder: it writes the PCM as
// signed 16-bit little-endian bytes, so that a test of the recorder's
// plumbing can compare what reached the Sink with what went in, sample
// for sample, without cgo. The MP3 path is tested with audio/lame.
type RawEncoder struct {
	w      io.Writer
	buf    []byte
	closed bool
}

var _ audio.Encoder = (*RawEncoder)(nil)

// NewRawEncoder is an audio.NewEncoderFunc.
func NewRawEncoder(w io.Writer, sampleRate int) (audio.Encoder, error) {
	return &RawEncoder{w: w}, nil
}

// Encode writes pcm as bytes.
func (e *RawEncoder) Encode(pcm []int16) error {
	if e.closed {
		return audio.ErrClosed
	}
	e.buf = e.buf[:0]
	for _, s := range pcm {
		e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(s))
	}
	_, err := e.w.Write(e.buf)
	return err
}

// Close marks the encoder closed.
func (e *RawEncoder) Close() error {
	if e.closed {
		return audio.ErrClosed
	}
	e.closed = true
	return nil
}

// Bytes returns pcm as signed 16-bit little-endian bytes.
func Bytes(pcm []int16) []byte {
	b := make([]byte, 0, 2*len(pcm))
	for _, s := range pcm {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	return b
}

// Samples returns signed 16-bit little-endian bytes as samples.
func Samples(b []byte) []int16 {
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return s
}

// Output is an audio.Output that keeps what is written, for testing the
// Player's logic where the sound itself must be inspected. It is not paced.
type Output struct {
	Rate, Channels int // what Format reports

	mu      sync.Mutex
	samples []int16
	writes  int
	drained bool
	closed  bool
	// OnWrite, if set, is called after each Write with the write's index.
	OnWrite func(i int)
}

var _ audio.Output = (*Output)(nil)

// Format returns Rate and Channels.
func (o *Output) Format() (int, int) { return o.Rate, o.Channels }

// Write keeps p.
func (o *Output) Write(p []int16) error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return audio.ErrClosed
	}
	if len(p)%o.Channels != 0 {
		o.mu.Unlock()
		return fmt.Errorf("%w: %d samples for %d channels", audio.ErrFormat, len(p), o.Channels)
	}
	o.samples = append(o.samples, p...)
	i := o.writes
	o.writes++
	o.mu.Unlock()
	if o.OnWrite != nil {
		o.OnWrite(i)
	}
	return nil
}

// Drain notes that it was called.
func (o *Output) Drain() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return audio.ErrClosed
	}
	o.drained = true
	return nil
}

// Close closes o.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	return nil
}

// Samples returns a copy of everything written.
func (o *Output) Samples() []int16 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]int16(nil), o.samples...)
}

// Drained reports whether Drain was called.
func (o *Output) Drained() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.drained
}

// Speaker is an audio.Speaker handing out Outputs of one format, keeping
// each.
type Speaker struct {
	Rate, Channels int // 0: as asked
	// OnWrite is given to each Output opened.
	OnWrite func(i int)

	mu      sync.Mutex
	Opened  []*Output // every Output opened, in order; read with Outputs
	refused error
}

var _ audio.Speaker = (*Speaker)(nil)

// Refuse makes later OpenOutput calls fail with err.
func (s *Speaker) Refuse(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = err
}

// OpenOutput returns a new Output.
func (s *Speaker) OpenOutput(rate, channels int) (audio.Output, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused != nil {
		return nil, s.refused
	}
	o := &Output{Rate: rate, Channels: channels, OnWrite: s.OnWrite}
	if s.Rate != 0 {
		o.Rate = s.Rate
	}
	if s.Channels != 0 {
		o.Channels = s.Channels
	}
	s.Opened = append(s.Opened, o)
	return o, nil
}

// Last returns the Output opened last, or nil.
func (s *Speaker) Last() *Output {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.Opened) == 0 {
		return nil
	}
	return s.Opened[len(s.Opened)-1]
}

// ErrUnplugged is what UnpluggedMic's Source fails with, wrapping
// audio.ErrDeviceLost as a real microphone's would.
var ErrUnplugged = fmt.Errorf("test microphone unplugged: %w", audio.ErrDeviceLost)

// UnpluggedSource is a FAKE, used because a microphone cannot be unplugged
// in a test: it gives the PCM of Src for FailAfter samples and then fails
// with ErrUnplugged, as audio/portaudio's Input does when its device goes
// away.
type UnpluggedSource struct {
	Src       audio.Source // the real audio to give
	FailAfter int64        // samples given before the "unplugging"
	read      int64
}

var _ audio.Source = (*UnpluggedSource)(nil)

// SampleRate is Src's.
func (u *UnpluggedSource) SampleRate() int { return u.Src.SampleRate() }

// Read reads from Src until FailAfter samples, then fails.
func (u *UnpluggedSource) Read(p []int16) (int, error) {
	left := u.FailAfter - u.read
	if left <= 0 {
		return 0, ErrUnplugged
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := u.Src.Read(p)
	u.read += int64(n)
	return n, err
}

// Close closes Src.
func (u *UnpluggedSource) Close() error { return u.Src.Close() }

// CountingSource wraps a Source (a real one: the microphone or PCM) and
// counts its reads; Before, if set, runs before each read with the read's
// index, which is where a test revokes a Grant "during" capture.
type CountingSource struct {
	Src    audio.Source // the Source counted
	Before func(i int)  // optional: runs before read i

	mu     sync.Mutex
	reads  int
	closed bool
}

var _ audio.Source = (*CountingSource)(nil)

// SampleRate is Src's.
func (c *CountingSource) SampleRate() int { return c.Src.SampleRate() }

// Read counts and delegates.
func (c *CountingSource) Read(p []int16) (int, error) {
	c.mu.Lock()
	i := c.reads
	c.reads++
	c.mu.Unlock()
	if c.Before != nil {
		c.Before(i)
	}
	return c.Src.Read(p)
}

// Close delegates.
func (c *CountingSource) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return c.Src.Close()
}

// Reads is how many times Read was called.
func (c *CountingSource) Reads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// Closed reports whether Close was called.
func (c *CountingSource) Closed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Outputs returns the Outputs opened so far.
func (s *Speaker) Outputs() []*Output {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Output(nil), s.Opened...)
}

// StalledSink is a FAKE disk that stops answering, used because a real
// disk cannot be made to stall in a test: a Sink (it keeps what it is
// given, like Sink) whose Write number StallAt, counting from 0, blocks
// until Release is called, as a write to a hung drive or a vanished
// network share would. Make it with NewStalledSink.
type StalledSink struct {
	Sink
	stallAt int
	writes  int // Writes begun; they come from one goroutine
	stalled chan struct{}
	release chan struct{}
	once    sync.Once
}

var _ audio.Sink = (*StalledSink)(nil)

// NewStalledSink returns a StalledSink whose Write number at blocks.
func NewStalledSink(at int) *StalledSink {
	return &StalledSink{stallAt: at, stalled: make(chan struct{}), release: make(chan struct{})}
}

// Write keeps p, first blocking until Release if it is Write number
// StallAt.
func (s *StalledSink) Write(p []byte) (int, error) {
	if s.writes++; s.writes-1 == s.stallAt {
		close(s.stalled)
		<-s.release
	}
	return s.Sink.Write(p)
}

// Stalled is closed once the blocking Write has begun.
func (s *StalledSink) Stalled() <-chan struct{} { return s.stalled }

// Release lets the blocked Write (and every later one) through. Calling it
// again is harmless.
func (s *StalledSink) Release() { s.once.Do(func() { close(s.release) }) }
