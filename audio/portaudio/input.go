package portaudio

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	pa "github.com/gordonklaus/portaudio"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
)

// readDuration is how much audio one blocking read waits for.
const readDuration = 20 * time.Millisecond

// Mic is a microphone of a Host: the default input or one named by a
// Device. Making a Mic opens nothing; Open does, under a session's valid
// Grant, and OpenMeter, for a level check only, under a valid CheckGrant.
type Mic struct {
	host *Host
	name string
}

var (
	_ audio.Mic       = (*Mic)(nil)
	_ audio.Meterable = (*Mic)(nil)
)

// Mic returns the input device called name (a Device.Name from
// InputDevices), or the system's default input for "". Whether it exists
// is found out at Open.
func (h *Host) Mic(name string) *Mic { return &Mic{host: h, name: name} }

// Open opens the microphone and starts capturing, under grant. An invalid
// grant fails with audio.ErrGrantInvalid before any device is touched. No
// such device (or none at all) fails with audio.ErrNoInputDevice; a Host
// already closed with audio.ErrClosed. The Source returned is an *Input.
// Only a session's Grant opens it so: a microphone check's CheckGrant is
// another type, which OpenMeter takes.
func (m *Mic) Open(grant consent.Grant) (audio.Source, error) {
	if !grant.Valid() {
		return nil, fmt.Errorf("portaudio: open input: %w", audio.ErrGrantInvalid)
	}
	in, err := m.open(grant)
	if err != nil {
		return nil, err // not a nil *Input in a non-nil Source
	}
	return in, nil
}

// OpenMeter opens the microphone for a level check under check, failing
// as Open does (an invalid check with audio.ErrGrantInvalid, before any
// device is touched). The Input it opens reads only while check is valid
// and is handed out only inside an audio.Meter, which gives levels and
// never samples.
func (m *Mic) OpenMeter(check consent.CheckGrant) (*audio.Meter, error) {
	if !check.Valid() {
		return nil, fmt.Errorf("portaudio: open input for a level check: %w", audio.ErrGrantInvalid)
	}
	in, err := m.open(check)
	if err != nil {
		return nil, err
	}
	return audio.NewMeter(check, in)
}

// open opens the device once Open or OpenMeter has checked p, which the
// Input then checks before every read.
func (m *Mic) open(p permit) (*Input, error) {
	if err := m.host.check(); err != nil {
		return nil, err
	}
	in := &Input{host: m.host, permit: p, th: newThread()}
	// Registered before it opens, and locked while it does, so that a
	// Host.Close meanwhile waits and then closes it before PortAudio goes.
	in.mu.Lock()
	if err := m.host.add(in); err != nil {
		in.closed = true
		in.th.stop()
		in.mu.Unlock()
		return nil, err
	}
	var err error
	in.th.do(func() { err = in.open(m.name) })
	in.mu.Unlock()
	if err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

// Input is an open microphone stream, an audio.Source: mono signed 16-bit
// at SampleRate. Read gives at most 20 ms of audio per device read and
// returns audio.ErrGrantInvalid, without reading, once the Grant (or, in a
// Meter, the CheckGrant) it was opened under is no longer valid.
type Input struct {
	host   *Host
	permit permit
	th     *thread

	// Owned by th.
	stream *pa.Stream
	buf    []int16 // PortAudio reads into this; registered at open

	name string
	rate int

	mu      sync.Mutex // serialises Read and Close (Host.Close may close)
	pending []int16    // read from the device, not yet given out
	closed  bool

	overflows atomic.Int64
	samples   atomic.Int64
}

var _ audio.Source = (*Input)(nil)

// permit is what an Input checks before every read: a consent.Grant, or a
// consent.CheckGrant for a level check's.
type permit interface{ Valid() bool }

// open runs on the thread: open the device at 16 kHz, or at its own rate
// if it refuses, and start it.
func (in *Input) open(name string) error {
	global.Lock()
	defer global.Unlock()
	dev, err := inputDevice(name)
	if err != nil {
		return err
	}
	in.name = dev.Name
	try := func(rate int) error {
		in.rate = rate
		in.buf = make([]int16, max(1, rate*int(readDuration/time.Millisecond)/1000))
		p := pa.HighLatencyParameters(dev, nil)
		p.Input.Channels = 1
		p.SampleRate = float64(rate)
		p.FramesPerBuffer = len(in.buf)
		s, err := pa.OpenStream(p, &in.buf)
		if err != nil {
			return err
		}
		in.stream = s
		return nil
	}
	err = try(audio.SpeechRate)
	if err != nil && isSampleRateRefusal(err) && int(dev.DefaultSampleRate) != audio.SpeechRate && dev.DefaultSampleRate > 0 {
		err = try(int(dev.DefaultSampleRate))
	}
	if err != nil {
		return fmt.Errorf("portaudio: open input %q: %w", dev.Name, err)
	}
	if err := in.stream.Start(); err != nil {
		in.stream.Close()
		in.stream = nil
		return fmt.Errorf("portaudio: start input %q: %w", dev.Name, err)
	}
	return nil
}

// Name is the device's name.
func (in *Input) Name() string { return in.name }

// SampleRate is the capture rate: 16000, or the device's own rate if it
// refused 16 kHz.
func (in *Input) SampleRate() int { return in.rate }

// Overflows is how many reads found that the device had dropped audio
// because it was not read in time.
func (in *Input) Overflows() int64 { return in.overflows.Load() }

// Samples is how many samples have been read from the device so far.
func (in *Input) Samples() int64 { return in.samples.Load() }

// Read gives up to len(p) samples; see audio.Source. A device failure
// wraps audio.ErrDeviceLost.
func (in *Input) Read(p []int16) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return 0, fmt.Errorf("portaudio: read: %w", audio.ErrClosed)
	}
	if !in.permit.Valid() {
		return 0, fmt.Errorf("portaudio: read: %w", audio.ErrGrantInvalid)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(in.pending) == 0 {
		var err error
		in.th.do(func() { err = in.stream.Read() })
		if errors.Is(err, pa.InputOverflowed) {
			// The samples are good; earlier ones were dropped.
			n := in.overflows.Add(1)
			in.host.logf("portaudio: input %q overflowed (%d so far)", in.name, n)
			err = nil
		}
		if err != nil {
			return 0, fmt.Errorf("portaudio: read %q: %w: %w", in.name, audio.ErrDeviceLost, err)
		}
		in.samples.Add(int64(len(in.buf)))
		in.pending = in.buf
	}
	n := copy(p, in.pending)
	in.pending = in.pending[n:]
	return n, nil
}

// Close stops capture and closes the device. It is idempotent.
func (in *Input) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return nil
	}
	in.closed = true
	var err error
	in.th.do(func() { err = in.close() })
	in.th.stop()
	in.host.remove(in)
	return err
}

// close runs on the thread.
func (in *Input) close() error {
	if in.stream == nil {
		return nil
	}
	// Abort, not Stop: what is still in the device's buffer was not read
	// and is not wanted.
	aerr := in.stream.Abort()
	global.Lock()
	cerr := in.stream.Close()
	global.Unlock()
	in.stream = nil
	if cerr != nil {
		return fmt.Errorf("portaudio: close input %q: %w", in.name, cerr)
	}
	if aerr != nil && !errors.Is(aerr, pa.StreamIsStopped) {
		return fmt.Errorf("portaudio: stop input %q: %w", in.name, aerr)
	}
	return nil
}
