package portaudio

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	pa "github.com/gordonklaus/portaudio"

	"github.com/assent-recorder/assent/audio"
)

// Output is an open loudspeaker stream, an audio.Output.
type Output struct {
	host *Host
	th   *thread

	// Owned by th.
	stream  *pa.Stream
	buf     []int16 // registered at open; pointed at each Write's samples
	running bool

	name     string
	rate, ch int

	mu     sync.Mutex // serialises the methods (Host.Close may close)
	closed bool

	underflows atomic.Int64
}

var _ audio.Output = (*Output)(nil)

// OpenOutput opens the default output device for sampleRate Hz and
// channels (1 or 2), or, when the device refuses, at its own rate and with
// as many channels as it has. No output device fails with
// audio.ErrNoOutputDevice. It makes the Host an audio.Speaker.
func (h *Host) OpenOutput(sampleRate, channels int) (audio.Output, error) {
	if sampleRate <= 0 || sampleRate > 192000 || channels < 1 || channels > 2 {
		return nil, fmt.Errorf("%w: output of %d Hz, %d channels", audio.ErrFormat, sampleRate, channels)
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	o := &Output{host: h, th: newThread()}
	// As Mic.Open: registered first, locked while opening.
	o.mu.Lock()
	if err := h.add(o); err != nil {
		o.closed = true
		o.th.stop()
		o.mu.Unlock()
		return nil, err
	}
	var err error
	o.th.do(func() { err = o.open(sampleRate, channels) })
	o.mu.Unlock()
	if err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

// open runs on the thread.
func (o *Output) open(rate, channels int) error {
	global.Lock()
	defer global.Unlock()
	dev, err := pa.DefaultOutputDevice()
	if err != nil || dev == nil || dev.MaxOutputChannels < 1 {
		return fmt.Errorf("portaudio: default output: %w", audio.ErrNoOutputDevice)
	}
	o.name = dev.Name
	try := func(rate, ch int) error {
		p := pa.HighLatencyParameters(nil, dev)
		p.Output.Channels = ch
		p.SampleRate = float64(rate)
		p.FramesPerBuffer = pa.FramesPerBufferUnspecified
		s, err := pa.OpenStream(p, &o.buf)
		if err != nil {
			return err
		}
		o.stream, o.rate, o.ch = s, rate, ch
		return nil
	}
	channels = min(channels, dev.MaxOutputChannels)
	err = try(rate, channels)
	if err != nil && isSampleRateRefusal(err) && dev.DefaultSampleRate > 0 {
		err = try(int(dev.DefaultSampleRate), channels)
		if err != nil && isSampleRateRefusal(err) && channels > 1 {
			err = try(int(dev.DefaultSampleRate), 1)
		}
	}
	if err != nil {
		return fmt.Errorf("portaudio: open output %q: %w", dev.Name, err)
	}
	return nil
}

// Format is the stream's rate in Hz and channel count.
func (o *Output) Format() (sampleRate, channels int) { return o.rate, o.ch }

// Underflows is how many writes found that the device had run out of
// audio (a pause, or a writer that fell behind).
func (o *Output) Underflows() int64 { return o.underflows.Load() }

// Write queues interleaved samples and blocks until they are queued; see
// audio.Output. len(p) must be a multiple of the channel count.
func (o *Output) Write(p []int16) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return fmt.Errorf("portaudio: write: %w", audio.ErrClosed)
	}
	if len(p)%o.ch != 0 {
		return fmt.Errorf("%w: %d samples for %d channels", audio.ErrFormat, len(p), o.ch)
	}
	if len(p) == 0 {
		return nil
	}
	var err error
	o.th.do(func() {
		if !o.running {
			if err = o.stream.Start(); err != nil {
				return
			}
			o.running = true
		}
		o.buf = p
		err = o.stream.Write()
		o.buf = nil
	})
	if errors.Is(err, pa.OutputUnderflowed) {
		n := o.underflows.Add(1)
		o.host.logf("portaudio: output %q underflowed (%d so far)", o.name, n)
		err = nil
	}
	if err != nil {
		return fmt.Errorf("portaudio: write %q: %w", o.name, err)
	}
	return nil
}

// Drain waits until everything written has been played; the Output can be
// written to again afterwards.
func (o *Output) Drain() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return fmt.Errorf("portaudio: drain: %w", audio.ErrClosed)
	}
	var err error
	o.th.do(func() {
		if o.running {
			err = o.stream.Stop()
			o.running = false
		}
	})
	if err != nil {
		return fmt.Errorf("portaudio: drain %q: %w", o.name, err)
	}
	return nil
}

// Close stops at once, dropping what is queued, and closes the device. It
// is idempotent.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	var err error
	o.th.do(func() { err = o.close() })
	o.th.stop()
	o.host.remove(o)
	return err
}

// close runs on the thread.
func (o *Output) close() error {
	if o.stream == nil {
		return nil
	}
	if o.running {
		o.stream.Abort()
		o.running = false
	}
	global.Lock()
	err := o.stream.Close()
	global.Unlock()
	o.stream = nil
	if err != nil {
		return fmt.Errorf("portaudio: close output %q: %w", o.name, err)
	}
	return nil
}
