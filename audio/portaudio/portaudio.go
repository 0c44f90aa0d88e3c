// Package portaudio is Assent's microphone and loudspeaker: PortAudio
// (through github.com/gordonklaus/portaudio, cgo) behind the audio
// package's Mic, Source, Speaker and Output interfaces. It is the only
// package of Assent that touches a sound device.
//
// # Use
//
//	host, err := portaudio.NewHost(log.Printf)
//	...
//	defer host.Close()
//	devices, err := host.InputDevices()   // for the settings screen
//	mic := host.Mic("")                   // the default input, or a Device's Name
//	rec, err := audio.Start(grant, mic, sink, audio.Options{Speaker: host, ...})
//
// A Mic opens its device only under a valid consent.Grant (Mic.Open), and
// the Input it returns stops reading the moment the Grant turns invalid.
// With no microphone at all, Open fails with audio.ErrNoInputDevice and the
// app offers notes only.
//
// # Format
//
// Input is mono signed 16-bit at 16 kHz (audio.SpeechRate). A device that
// refuses 16 kHz is opened at its own default rate instead, and
// Input.SampleRate says so; LAME resamples when it encodes. Output is
// opened at the rate and channel count asked for, or the device's default
// rate and fewer channels when refused; Output.Format says which.
//
// # Threads
//
// Each stream has one goroutine, locked to its OS thread, that makes every
// PortAudio call for that stream: open, start, the blocking reads (20 ms at
// a time) or writes, stop and close. Read, Write and Close hand their work
// to it and wait. Calls that touch PortAudio's process-wide state
// (initialise, terminate, list devices, open and close streams) are also
// serialised by one lock, because PortAudio and its Go binding keep that
// state in globals. Everything else about a device lives in the Host,
// Input and Output structs.
//
// # Errors
//
// An input overflow (audio dropped because nobody read in time) is counted
// (Input.Overflows) and logged, not fatal, and so is an output underflow. A
// device that fails mid-stream (unplugged) ends the Input with an error
// wrapping audio.ErrDeviceLost that names the device. A read can only be
// as prompt as the device: should a driver hang inside a read, Close waits
// for it.
//
// # Tests
//
// Tests capture through ALSA with audio/testmic, whose .asoundrc makes the
// default capture device read an espeak-ng fixture. ALSA reads its
// configuration when PortAudio initialises, so point HOME at the test
// microphone (mic.Setenv) before NewHost. PortAudio also probes JACK and
// OSS and may print about them on stderr; that is harmless.
package portaudio

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	pa "github.com/gordonklaus/portaudio"

	"github.com/assent-recorder/assent/audio"
)

// global serialises the PortAudio calls that use process-wide state (the C
// library's host APIs and device list, the Go binding's init count and
// device cache). It guards no device state of ours.
var global sync.Mutex

// ErrBusy: Rescan was called while a stream is open.
var ErrBusy = errors.New("portaudio: a stream is open")

// Host is PortAudio, initialised. It lists devices, makes Mics and opens
// Outputs (it is an audio.Speaker). Close it when done; closing closes
// every stream still open. Its methods are safe for concurrent use.
type Host struct {
	logf func(format string, args ...any)

	mu      sync.Mutex
	closed  bool
	streams map[closer]struct{}
}

// closer is a stream the Host closes at Close.
type closer interface{ Close() error }

var _ audio.Speaker = (*Host)(nil)

// NewHost initialises PortAudio. logf, if not nil, receives notes that are
// not errors (overflows, underflows). Several Hosts may exist; each holds
// one reference to PortAudio.
func NewHost(logf func(format string, args ...any)) (*Host, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	global.Lock()
	err := pa.Initialize()
	global.Unlock()
	if err != nil {
		return nil, fmt.Errorf("portaudio: initialise: %w", err)
	}
	return &Host{logf: logf, streams: map[closer]struct{}{}}, nil
}

// Close closes every stream still open and releases PortAudio. It is
// idempotent.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	open := make([]closer, 0, len(h.streams))
	for s := range h.streams {
		open = append(open, s)
	}
	h.mu.Unlock()
	for _, s := range open {
		s.Close()
	}
	global.Lock()
	defer global.Unlock()
	if err := pa.Terminate(); err != nil {
		return fmt.Errorf("portaudio: terminate: %w", err)
	}
	return nil
}

// Rescan makes PortAudio look for devices again (one plugged in since
// NewHost), by terminating and initialising it. It fails with ErrBusy
// while a stream of this Host is open.
func (h *Host) Rescan() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return fmt.Errorf("portaudio: rescan: %w", audio.ErrClosed)
	}
	if len(h.streams) > 0 {
		return fmt.Errorf("portaudio: rescan: %w", ErrBusy)
	}
	global.Lock()
	defer global.Unlock()
	if err := pa.Terminate(); err != nil {
		return fmt.Errorf("portaudio: rescan: %w", err)
	}
	if err := pa.Initialize(); err != nil {
		h.closed = true // nothing left to terminate
		return fmt.Errorf("portaudio: rescan: %w", err)
	}
	return nil
}

// Device describes a microphone for the settings screen.
type Device struct {
	// Name is what PortAudio calls it; pass it to Host.Mic.
	Name string
	// HostAPI is the system layer it is reached through ("ALSA").
	HostAPI string
	// Default reports whether it is the system's default input.
	Default bool
	// MaxInputChannels is how many channels it can capture (Assent uses one).
	MaxInputChannels int
	// DefaultSampleRate is the device's own rate, used when it refuses
	// 16 kHz.
	DefaultSampleRate float64
}

// InputDevices lists the devices that can capture, the default first. An
// empty list (no error) means there is no microphone.
func (h *Host) InputDevices() ([]Device, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	global.Lock()
	defer global.Unlock()
	devs, err := pa.Devices()
	if err != nil {
		return nil, fmt.Errorf("portaudio: list devices: %w", err)
	}
	def, _ := pa.DefaultInputDevice()
	var list []Device
	for _, d := range devs {
		if d.MaxInputChannels < 1 {
			continue
		}
		dev := Device{
			Name:              d.Name,
			Default:           def != nil && d.Index == def.Index,
			MaxInputChannels:  d.MaxInputChannels,
			DefaultSampleRate: d.DefaultSampleRate,
		}
		if d.HostApi != nil {
			dev.HostAPI = d.HostApi.Name
		}
		if dev.Default {
			list = append([]Device{dev}, list...)
		} else {
			list = append(list, dev)
		}
	}
	return list, nil
}

func (h *Host) check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return fmt.Errorf("portaudio: host: %w", audio.ErrClosed)
	}
	return nil
}

// add registers an open stream, or refuses after Close.
func (h *Host) add(s closer) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return fmt.Errorf("portaudio: host: %w", audio.ErrClosed)
	}
	h.streams[s] = struct{}{}
	return nil
}

func (h *Host) remove(s closer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.streams, s)
}

// inputDevice finds the input device called name ("" for the default).
// Called with global held.
func inputDevice(name string) (*pa.DeviceInfo, error) {
	if name == "" {
		d, err := pa.DefaultInputDevice()
		if err != nil || d == nil || d.MaxInputChannels < 1 {
			return nil, fmt.Errorf("portaudio: default input: %w", audio.ErrNoInputDevice)
		}
		return d, nil
	}
	devs, err := pa.Devices()
	if err != nil {
		return nil, fmt.Errorf("portaudio: list devices: %w", err)
	}
	for _, d := range devs {
		if d.Name == name && d.MaxInputChannels > 0 {
			return d, nil
		}
	}
	return nil, fmt.Errorf("portaudio: input %q: %w", name, audio.ErrNoInputDevice)
}

// thread is a goroutine locked to its OS thread that runs the calls of one
// stream, one at a time.
type thread struct {
	calls chan func()
}

func newThread() *thread {
	t := &thread{calls: make(chan func())}
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for f := range t.calls {
			f()
		}
	}()
	return t
}

// do runs f on the thread and waits for it.
func (t *thread) do(f func()) {
	done := make(chan struct{})
	t.calls <- func() {
		defer close(done)
		f()
	}
	<-done
}

// stop ends the thread; do must not be called after.
func (t *thread) stop() { close(t.calls) }

// isSampleRateRefusal reports whether err is PortAudio saying no to a rate
// (or format), so that the device's own rate is worth a try.
func isSampleRateRefusal(err error) bool {
	var e pa.Error
	if errors.As(err, &e) {
		return e == pa.InvalidSampleRate || e == pa.SampleFormatNotSupported || e == pa.InvalidChannelCount
	}
	return false
}
