package audio

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Output is an open loudspeaker stream (audio/portaudio's Output, or a
// test's).
//
// Write queues interleaved signed 16-bit samples (len(p) a multiple of the
// channel count) and blocks until they are queued, which paces the caller
// in real time once the device's buffer is full. A gap between writes is
// heard as silence and is not an error. Drain waits until what was queued
// has been played. Close drops what is still queued and releases the
// device; it is idempotent, and Write or Drain after it give ErrClosed.
// The methods are called from one goroutine.
type Output interface {
	// Format is the stream's sample rate in Hz and channel count.
	Format() (sampleRate, channels int)
	// Write queues interleaved samples for playing.
	Write(p []int16) error
	// Drain waits until everything written has been played.
	Drain() error
	// Close stops playing and releases the device.
	Close() error
}

// Speaker opens Outputs: audio/portaudio's Host on a real machine.
// OpenOutput asks for sampleRate and channels; a device that cannot do them
// may give another rate or 1 channel instead, as Output.Format tells (the
// Player converts). No device gives an error wrapping ErrNoOutputDevice.
type Speaker interface {
	// OpenOutput opens a stream to the default loudspeaker.
	OpenOutput(sampleRate, channels int) (Output, error)
}

// seekPreroll is how many frames before a Seek target are decoded and
// dropped: four MP3 frames of MPEG-1, covering the bit reservoir.
const seekPreroll = 4 * 1152

// playChunk is how much audio the Player decodes and writes at a time;
// it bounds how late Pause and Seek take effect.
const playChunk = 20 * time.Millisecond

// Player plays one MP3 (what storage's opening reader gives, or a chime)
// to a Speaker. go-mp3 decodes it to 16-bit stereo; the Player converts to
// whatever the Output took.
//
// A Player starts paused at the beginning. Play starts or continues; at
// the end the Player pauses there, closes its Output and closes the channel
// Ended returned; Play then starts again from the beginning. Pause, Seek,
// Position and Duration work in any state. Close stops and releases
// everything; the ReadSeeker is not closed (whoever opened it closes it).
// All methods are safe for concurrent use.
type Player struct {
	spk   Speaker
	dec   *mp3Decoder
	rate  int   // decoded sample rate
	total int64 // decoded frames (one frame = one sample per channel)

	mu      sync.Mutex
	wake    *sync.Cond
	playing bool
	closed  bool
	pos     int64 // frames handed to the Output (or sought to)
	seekGen int   // bumped by Seek, so a write in flight does not move pos
	ended   chan struct{}
	err     error
	loop    chan struct{} // closed when the playing goroutine exits
}

// NewPlayer reads the MP3 in r far enough to know its frames and length,
// and returns a paused Player. It reads the whole stream's frame headers,
// which takes a moment for an hour's recording. Errors wrap ErrFormat for
// something that is not MP3 go-mp3 reads; a nil r or spk is ErrOptions.
func NewPlayer(r io.ReadSeeker, spk Speaker) (*Player, error) {
	if r == nil || spk == nil {
		return nil, fmt.Errorf("%w: a player needs a reader and a speaker", ErrOptions)
	}
	dec, err := newMP3Decoder(r)
	if err != nil {
		return nil, err
	}
	if dec.SampleRate() <= 0 || dec.Length() < 0 {
		return nil, fmt.Errorf("%w: MP3 without a rate or length", ErrFormat)
	}
	p := &Player{
		spk:   spk,
		dec:   dec,
		rate:  dec.SampleRate(),
		total: dec.Length() / 4,
		ended: make(chan struct{}),
		loop:  make(chan struct{}),
	}
	p.wake = sync.NewCond(&p.mu)
	go p.run()
	return p, nil
}

// SampleRate is the MP3's sample rate in Hz.
func (p *Player) SampleRate() int { return p.rate }

// Duration is the length of the decoded audio (including the encoder's
// short lead-in and final padding, which these MP3s do not mark).
func (p *Player) Duration() time.Duration { return samplesToDuration(p.total, p.rate) }

// Position is how far playing has got: the audio handed to the Output so
// far, or where Seek put it. What is heard lags by the Output's latency.
func (p *Player) Position() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return samplesToDuration(p.pos, p.rate)
}

// Playing reports whether the Player is playing (not paused, ended or
// closed).
func (p *Player) Playing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.playing
}

// Play starts or continues playing; at the end it starts again from the
// beginning. It returns ErrClosed after Close. The Output is opened by the
// playing goroutine; an error opening it ends the run (see Ended, Err).
func (p *Player) Play() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.playing {
		return nil
	}
	select {
	case <-p.ended: // a new run
		p.ended = make(chan struct{})
		p.err = nil
	default:
	}
	if p.pos >= p.total {
		if err := p.seekLocked(0); err != nil {
			return err
		}
	}
	p.playing = true
	p.wake.Broadcast()
	return nil
}

// Pause stops playing after the piece being written (at most about 20 ms
// of audio); Play continues from there.
func (p *Player) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.playing = false
}

// Seek moves to d from the beginning (clamped to [0, Duration]); playing
// or paused stays as it was. It lands on the exact sample, and decodes a
// few frames before it so that what follows sounds exactly as it does when
// played through.
func (p *Player) Seek(d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	frame := int64(d) * int64(p.rate) / int64(time.Second)
	return p.seekLocked(min(max(frame, 0), p.total))
}

func (p *Player) seekLocked(frame int64) error {
	if frame >= p.total {
		// go-mp3 cannot seek to the very end; stand there instead.
		p.pos = p.total
		p.seekGen++
		return nil
	}
	// Decode from a little before the target and drop the lead: an MP3
	// frame depends on earlier ones (the bit reservoir, the filter bank's
	// overlap), and go-mp3 primes with only one frame.
	pre := min(frame, seekPreroll)
	if _, err := p.dec.Seek((frame-pre)*4, io.SeekStart); err != nil {
		return fmt.Errorf("audio: seek: %w", err)
	}
	if _, err := io.CopyN(io.Discard, p.dec, pre*4); err != nil {
		return fmt.Errorf("audio: seek: %w", err)
	}
	p.pos = frame
	p.seekGen++
	return nil
}

// Ended returns a channel closed when the current (or next) run of playing
// ends: at the end of the audio, on an error (see Err) or at Close.
func (p *Player) Ended() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ended
}

// Err is the error that ended the last run, or nil.
func (p *Player) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Close stops playing, closes the Output and ends the playing goroutine.
// It is idempotent.
func (p *Player) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		p.playing = false
		p.wake.Broadcast()
	}
	p.mu.Unlock()
	<-p.loop
	return nil
}

// endRunLocked pauses and closes the current run's Ended channel.
func (p *Player) endRunLocked(err error) {
	p.playing = false
	if err != nil && p.err == nil {
		p.err = err
	}
	select {
	case <-p.ended:
	default:
		close(p.ended)
	}
}

// run is the playing goroutine: the only one that touches the Output.
func (p *Player) run() {
	defer close(p.loop)
	var (
		out  Output
		conv converter
		raw  = make([]byte, 4*max(1, p.rate*int(playChunk/time.Millisecond)/1000))
		pcm  []int16
	)
	closeOut := func() {
		if out != nil {
			out.Close()
			out = nil
		}
	}
	for {
		p.mu.Lock()
		for !p.playing && !p.closed {
			p.wake.Wait()
		}
		if p.closed {
			p.endRunLocked(nil)
			p.mu.Unlock()
			closeOut()
			return
		}
		if out == nil {
			o, err := p.spk.OpenOutput(p.rate, 2)
			if err == nil {
				conv, err = newConverter(p.rate, o)
				if err != nil {
					o.Close()
				}
			}
			if err != nil {
				p.endRunLocked(fmt.Errorf("audio: open output: %w", err))
				p.mu.Unlock()
				continue
			}
			out = o
		}
		gen := p.seekGen
		n, err := io.ReadFull(p.dec, raw)
		n -= n % 4
		if n == 0 {
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				p.endRunLocked(fmt.Errorf("audio: decode: %w", err))
				p.mu.Unlock()
				closeOut()
				continue
			}
			// The end: let the last audio play, then release the device.
			p.pos = p.total
			p.mu.Unlock()
			derr := out.Drain()
			closeOut()
			p.mu.Lock()
			p.endRunLocked(derr)
			p.mu.Unlock()
			continue
		}
		pcm = conv.convert(pcm[:0], raw[:n])
		p.mu.Unlock()

		werr := out.Write(pcm)

		p.mu.Lock()
		if werr != nil {
			p.endRunLocked(fmt.Errorf("audio: play: %w", werr))
			p.mu.Unlock()
			closeOut()
			continue
		}
		if gen == p.seekGen {
			p.pos = min(p.pos+int64(n/4), p.total)
		} else {
			conv.reset()
		}
		p.mu.Unlock()
	}
}

// converter turns go-mp3's 16-bit little-endian stereo into what an Output
// takes: 1 or 2 channels, at its rate (linear interpolation when the rates
// differ, which only happens with devices that refuse the MP3's rate).
type converter struct {
	inRate, outRate, channels int
	step                      float64 // input frames per output frame
	t                         float64 // position of the next output frame, in input frames after prev
	prev                      [2]int16
	primed                    bool
}

func newConverter(inRate int, o Output) (converter, error) {
	rate, ch := o.Format()
	if rate <= 0 || (ch != 1 && ch != 2) {
		return converter{}, fmt.Errorf("%w: output of %d Hz, %d channels", ErrFormat, rate, ch)
	}
	return converter{inRate: inRate, outRate: rate, channels: ch, step: float64(inRate) / float64(rate)}, nil
}

func (c *converter) reset() { c.t, c.primed = 0, false }

func (c *converter) convert(dst []int16, raw []byte) []int16 {
	frames := len(raw) / 4
	frame := func(i int) [2]int16 {
		return [2]int16{
			int16(uint16(raw[4*i]) | uint16(raw[4*i+1])<<8),
			int16(uint16(raw[4*i+2]) | uint16(raw[4*i+3])<<8),
		}
	}
	emit := func(dst []int16, f [2]int16) []int16 {
		if c.channels == 1 {
			return append(dst, int16((int32(f[0])+int32(f[1]))/2))
		}
		return append(dst, f[0], f[1])
	}
	if c.inRate == c.outRate {
		for i := range frames {
			dst = emit(dst, frame(i))
		}
		return dst
	}
	// Linear interpolation between prev (input frame -1) and the frames
	// of raw (0 … frames-1).
	for i := range frames {
		cur := frame(i)
		if !c.primed {
			c.prev, c.primed = cur, true
			continue
		}
		for c.t < 1 {
			var f [2]int16
			for ch := range 2 {
				f[ch] = int16(float64(c.prev[ch]) + c.t*float64(int32(cur[ch])-int32(c.prev[ch])))
			}
			dst = emit(dst, f)
			c.t += c.step
		}
		c.t--
		c.prev = cur
	}
	return dst
}
