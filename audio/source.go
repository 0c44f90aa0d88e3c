package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/assent-recorder/assent/consent"
)

// Errors that this package and its implementations (audio/portaudio,
// audio/lame) wrap, for callers to branch on with errors.Is. The text of an
// error is for logs; the app shows its own sentence.
var (
	// ErrGrantInvalid: a Mic was asked to open, or a Source to read, under
	// a consent.Grant (or, for a level check, a consent.CheckGrant) that is
	// not, or no longer, valid. Nothing was read from the device.
	ErrGrantInvalid = errors.New("audio: consent grant is not valid")
	// ErrNoInputDevice: there is no microphone (or not the one asked for).
	// The app offers notes only.
	ErrNoInputDevice = errors.New("audio: no input device")
	// ErrDeviceLost: the microphone went away while it was open (unplugged,
	// taken by the system). What was read before is good.
	ErrDeviceLost = errors.New("audio: input device lost")
	// ErrNoOutputDevice: there is no loudspeaker to play to.
	ErrNoOutputDevice = errors.New("audio: no output device")
	// ErrClosed: a Source, Output, Player or device host was used after
	// Close.
	ErrClosed = errors.New("audio: closed")
	// ErrFormat: a sample rate or channel count that the component cannot
	// take, or bytes that are not the MP3 this package reads.
	ErrFormat = errors.New("audio: unsupported format")
	// ErrOptions: Start or NewPlayer was given options it cannot work with
	// (no encoder, a nil sink).
	ErrOptions = errors.New("audio: invalid options")
)

// SpeechRate is the sample rate, in Hz, that Assent asks microphones for
// and encodes speech at. MP3 files are never written below it (go-mp3 does
// not decode MPEG-2.5, which is what rates under 16 kHz would need).
const SpeechRate = 16000

// Source is an open stream of captured sound.
//
// Samples are mono, signed 16-bit, at SampleRate Hz (constant for the
// Source's life). Read reads up to len(p) samples into p and returns how
// many it read. It returns n > 0 with a nil error, or n == 0 with an error;
// partial reads are normal. A live Source blocks until some audio is there
// but never for longer than about 50 ms of audio, so that its caller can
// check the consent.Grant between reads; a Source over a file or memory
// returns at once, as fast as it is read.
//
// A finite Source ends with io.EOF. Any other error ends the stream too: a
// microphone that went away gives an error wrapping ErrDeviceLost, a Grant
// that stopped being valid one wrapping ErrGrantInvalid (a Source never
// reads its device after its Grant has turned invalid), a Read after Close
// ErrClosed.
//
// Close releases the device; it is idempotent. Read and Close are called
// from one goroutine (or otherwise not concurrently). Whoever opened a
// Source closes it: the Recorder closes the Sources it opens.
type Source interface {
	// SampleRate is the rate of the samples Read gives, in Hz.
	SampleRate() int
	// Read fills p with up to len(p) samples; see the interface's contract.
	Read(p []int16) (n int, err error)
	// Close releases what the Source holds; later Reads give ErrClosed.
	Close() error
}

// Mic is a microphone: something that can become a Source, and only under
// a valid consent.Grant, which only the consent package makes and only when
// every person present has said yes. Open checks grant.Valid() before it
// touches any device and, when it is false, returns an error wrapping
// ErrGrantInvalid having opened nothing. The Source it returns keeps the
// Grant and stops reading (ErrGrantInvalid) once the Grant turns invalid.
// Open takes a session's Grant and nothing else: a microphone check's
// consent.CheckGrant is another type, so the compiler refuses it here.
//
// The microphone is audio/portaudio's Mic; PCMMic stands in for it in tests
// and benchmarks.
type Mic interface {
	// Open opens the microphone under grant; the caller closes the Source.
	Open(grant consent.Grant) (Source, error)
}

// Meterable is a microphone that can also be opened for a level check
// (StartMonitor), under a consent.MicCheck's CheckGrant: the therapist's
// own go-ahead, with nobody else's yes, so nothing heard may be kept.
// audio/portaudio's Mic and PCMMic are Meterable.
//
// OpenMeter checks check.Valid() before it touches any device and, when it
// is false, returns an error wrapping ErrGrantInvalid having opened
// nothing. Otherwise it opens the device as Mic.Open would, under check
// instead of a Grant (so the device stops reading once the check is
// stopped), and returns it only inside a Meter (NewMeter), which gives out
// levels and never the samples.
type Meterable interface {
	// OpenMeter opens the microphone for a level check; the caller closes
	// the Meter.
	OpenMeter(check consent.CheckGrant) (*Meter, error)
}

// permit is what a Source checks before every read: a consent.Grant, or a
// consent.CheckGrant for a Meter's.
type permit interface{ Valid() bool }

// PCMMic is a Mic over raw PCM: signed 16-bit little-endian mono at Rate
// Hz, read from R, as fast as R gives it. It is for tests, benchmarks and
// anything that already holds audio. It honours the Mic and Meterable
// contracts (no Source without a valid Grant; no read after the Grant
// turns invalid; a CheckGrant opens only a Meter) so that code paths are
// the same as with a microphone.
//
// R is read by the Sources Open returns and is not closed by them (whoever
// made R closes it). Sources opened one after the other continue where the
// previous stopped.
type PCMMic struct {
	// R gives the PCM bytes.
	R io.Reader
	// Rate is the sample rate in Hz; 0 means SpeechRate.
	Rate int
}

var (
	_ Mic       = PCMMic{}
	_ Meterable = PCMMic{}
)

// Open returns a *PCMSource reading m.R under grant. It fails with
// ErrGrantInvalid if grant is not valid, and with ErrOptions if R is nil
// or Rate is negative or above 192 kHz.
func (m PCMMic) Open(grant consent.Grant) (Source, error) {
	if !grant.Valid() {
		return nil, fmt.Errorf("audio: open PCM: %w", ErrGrantInvalid)
	}
	src, err := m.open(grant)
	if err != nil {
		return nil, err // not a nil *PCMSource in a non-nil Source
	}
	return src, nil
}

// OpenMeter returns a Meter over m.R under check, failing as Open does.
func (m PCMMic) OpenMeter(check consent.CheckGrant) (*Meter, error) {
	if !check.Valid() {
		return nil, fmt.Errorf("audio: open PCM for a level check: %w", ErrGrantInvalid)
	}
	src, err := m.open(check)
	if err != nil {
		return nil, err
	}
	return NewMeter(check, src)
}

// open makes the Source, once Open or OpenMeter has checked p.
func (m PCMMic) open(p permit) (*PCMSource, error) {
	rate := m.Rate
	if rate == 0 {
		rate = SpeechRate
	}
	if m.R == nil || rate < 0 || rate > 192000 {
		return nil, fmt.Errorf("%w: PCM reader %v at %d Hz", ErrOptions, m.R != nil, m.Rate)
	}
	return &PCMSource{r: m.R, rate: rate, permit: p}, nil
}

// PCMSource is the Source PCMMic opens. An odd byte at the end of the
// input is dropped (it is half a sample).
type PCMSource struct {
	r      io.Reader
	rate   int
	permit permit // the Grant (or a Meter's CheckGrant) it was opened under
	buf    []byte
	carry  []byte // a half sample left over from the previous read
	closed bool
}

var _ Source = (*PCMSource)(nil)

// SampleRate returns the rate PCMMic was given.
func (s *PCMSource) SampleRate() int { return s.rate }

// Read reads up to len(p) samples; see Source.
func (s *PCMSource) Read(p []int16) (int, error) {
	if s.closed {
		return 0, ErrClosed
	}
	if !s.permit.Valid() {
		return 0, fmt.Errorf("audio: read PCM: %w", ErrGrantInvalid)
	}
	if len(p) == 0 {
		return 0, nil
	}
	want := 2 * len(p)
	if cap(s.buf) < want {
		s.buf = make([]byte, want)
	}
	b := s.buf[:want]
	have := copy(b, s.carry)
	s.carry = s.carry[:0]
	for have < 2 {
		n, err := s.r.Read(b[have:])
		have += n
		if err != nil {
			if errors.Is(err, io.EOF) {
				if have >= 2 {
					break
				}
				return 0, io.EOF
			}
			if have >= 2 {
				break // report the audio now; the reader will fail again
			}
			return 0, fmt.Errorf("audio: read PCM: %w", err)
		}
	}
	n := have / 2
	for i := range n {
		p[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	if have%2 == 1 {
		s.carry = append(s.carry, b[have-1])
	}
	return n, nil
}

// Close marks the Source closed; it does not close R.
func (s *PCMSource) Close() error {
	s.closed = true
	return nil
}

// MicFunc adapts a function to the Mic interface. Open checks the Grant
// itself, so no Mic made this way can be opened without a valid one; the
// function must still honour the rest of Mic's contract.
type MicFunc func(grant consent.Grant) (Source, error)

// Open calls f(grant) when grant is valid; otherwise it returns an error
// wrapping ErrGrantInvalid and calls nothing.
func (f MicFunc) Open(grant consent.Grant) (Source, error) {
	if !grant.Valid() {
		return nil, fmt.Errorf("audio: open: %w", ErrGrantInvalid)
	}
	return f(grant)
}
