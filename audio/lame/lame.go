// Package lame is Assent's MP3 encoder: a thin cgo binding to libmp3lame
// (LAME 3.100), made for speech.
//
// # What it writes
//
// Mono MPEG audio layer III at a constant bitrate: 32 kbit/s by default,
// 48 or 64 kbit/s on request. The output sample rate is 16 kHz unless
// Options.OutputRate says otherwise; input at another rate (a microphone
// that only runs at 44.1 or 48 kHz) is resampled by LAME. Nothing below
// 16 kHz is ever written, because the decoder Assent plays with (go-mp3)
// reads MPEG-1 and MPEG-2 but not MPEG-2.5.
//
// The stream carries no Xing/LAME tag and no ID3 tag: it is a plain run of
// frames, so a file cut short by a crash still plays up to its last whole
// frame, and bytes can be written out as they come.
//
// # Use
//
//	enc, err := lame.NewEncoder(w, lame.Options{InputRate: 16000})
//	...
//	err = enc.Encode(pcm) // as often as there is PCM
//	...
//	err = enc.Close()     // flushes the last frames to w and frees LAME
//
// Encode and Close write to w only complete MP3 bytes LAME has produced; an
// error from w is returned as is (wrapped) and the Encoder is then unusable.
//
// # Memory
//
// LAME's state is allocated and freed by LAME (lame_init, lame_close). Go
// memory is lent to C only for the length of one call (the PCM to encode and
// the buffer LAME writes MP3 into); C keeps no Go pointer. An Encoder that is
// dropped without Close is freed by a cleanup when it is collected, but Close
// is the way: it flushes.
package lame

/*
#cgo pkg-config: lame
#include <stdarg.h>
#include <stdlib.h>
#include <lame.h>

// LAME reports problems on stderr unless told otherwise; every error it
// has also comes back as a return code, which this package wraps.
static void assent_lame_quiet(const char *format, va_list ap) { (void)format; (void)ap; }

static lame_t assent_lame_new(int in_rate, int out_rate, int kbps, int quality) {
	lame_t gf = lame_init();
	if (gf == NULL) {
		return NULL;
	}
	lame_set_errorf(gf, assent_lame_quiet);
	lame_set_debugf(gf, assent_lame_quiet);
	lame_set_msgf(gf, assent_lame_quiet);
	lame_set_num_channels(gf, 1);
	lame_set_mode(gf, MONO);
	lame_set_in_samplerate(gf, in_rate);
	lame_set_out_samplerate(gf, out_rate);
	lame_set_VBR(gf, vbr_off);
	lame_set_brate(gf, kbps);
	lame_set_quality(gf, quality);
	lame_set_bWriteVbrTag(gf, 0);
	lame_set_write_id3tag_automatic(gf, 0);
	lame_set_findReplayGain(gf, 0);
	if (lame_init_params(gf) < 0) {
		lame_close(gf);
		return NULL;
	}
	return gf;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"unsafe"

	"github.com/assent-recorder/assent/audio"
)

// Bitrates, in kbit/s, that Options.Bitrate accepts.
const (
	// Bitrate32 is the default: clear speech, about 14.4 MB an hour.
	Bitrate32 = 32
	// Bitrate48 gives more room for quiet voices and room tone.
	Bitrate48 = 48
	// Bitrate64 is for a recording that may be listened to with music or
	// several voices at once.
	Bitrate64 = 64
)

// DefaultQuality is the LAME algorithm quality used when Options.Quality is
// zero: LAME's own command-line default (-q 3).
const DefaultQuality = 3

// DefaultOutputRate is the MP3 sample rate when Options.OutputRate is zero.
const DefaultOutputRate = 16000

// Errors that NewEncoder and the Encoder's methods wrap.
var (
	// ErrOptions: the options ask for something this package does not
	// write (another bitrate, an output rate below 16 kHz or not an MPEG-1
	// or MPEG-2 rate, an input rate LAME cannot take).
	ErrOptions = errors.New("lame: unsupported options")
	// ErrClosed: Encode or Close after Close, or after a write error.
	ErrClosed = errors.New("lame: encoder closed")
	// ErrEncode: LAME itself reported a failure (out of memory, an
	// internal error). It does not happen with valid input.
	ErrEncode = errors.New("lame: encoding failed")
)

// Options configure an Encoder. The zero value is invalid only for
// InputRate, which must be given.
type Options struct {
	// InputRate is the sample rate of the PCM given to Encode, in Hz
	// (8000 to 192000). Required.
	InputRate int
	// Bitrate is Bitrate32 (0 means this), Bitrate48 or Bitrate64.
	Bitrate int
	// OutputRate is the MP3's sample rate: 16000 (0 means this), 22050,
	// 24000, 32000, 44100 or 48000.
	OutputRate int
	// Quality is LAME's -q from 1 (slow, best) to 9 (fast, poor); 0
	// means DefaultQuality. (LAME's -q 0 is not offered: it is several
	// times slower for no audible gain on speech.)
	Quality int
}

// normalise fills defaults and checks o.
func (o Options) normalise() (Options, error) {
	if o.Bitrate == 0 {
		o.Bitrate = Bitrate32
	}
	if o.OutputRate == 0 {
		o.OutputRate = DefaultOutputRate
	}
	if o.Quality == 0 {
		o.Quality = DefaultQuality
	}
	switch o.Bitrate {
	case Bitrate32, Bitrate48, Bitrate64:
	default:
		return o, fmt.Errorf("%w: bitrate %d kbit/s (want 32, 48 or 64)", ErrOptions, o.Bitrate)
	}
	switch o.OutputRate {
	case 16000, 22050, 24000, 32000, 44100, 48000:
	default:
		return o, fmt.Errorf("%w: output rate %d Hz (want 16000, 22050, 24000, 32000, 44100 or 48000)", ErrOptions, o.OutputRate)
	}
	if o.InputRate < 8000 || o.InputRate > 192000 {
		return o, fmt.Errorf("%w: input rate %d Hz (want 8000 to 192000)", ErrOptions, o.InputRate)
	}
	if o.Quality < 1 || o.Quality > 9 {
		return o, fmt.Errorf("%w: quality %d (want 1 to 9, or 0 for the default)", ErrOptions, o.Quality)
	}
	return o, nil
}

// Encoder turns mono 16-bit PCM into MP3 written to an io.Writer. It is not
// safe for concurrent use.
type Encoder struct {
	st   *state
	w    io.Writer
	opts Options
	mp3  []byte // LAME writes here during a call; reused
	err  error  // sticky: ErrClosed or the write error
	// cleanup frees st if the Encoder is collected without Close.
	cleanup runtime.Cleanup
}

// state holds the C pointer apart from Encoder so that a cleanup can free
// it without keeping the Encoder reachable.
type state struct {
	gf C.lame_t
}

func (s *state) free() {
	if s.gf != nil {
		C.lame_close(s.gf)
		s.gf = nil
	}
}

var _ audio.Encoder = (*Encoder)(nil)

// NewEncoder makes an Encoder writing MP3 to w. Errors wrap ErrOptions or
// ErrEncode.
func NewEncoder(w io.Writer, opts Options) (*Encoder, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: nil writer", ErrOptions)
	}
	o, err := opts.normalise()
	if err != nil {
		return nil, err
	}
	gf := C.assent_lame_new(C.int(o.InputRate), C.int(o.OutputRate), C.int(o.Bitrate), C.int(o.Quality))
	if gf == nil {
		return nil, fmt.Errorf("%w: LAME refused %d Hz in, %d Hz out, %d kbit/s", ErrEncode, o.InputRate, o.OutputRate, o.Bitrate)
	}
	st := &state{gf: gf}
	e := &Encoder{st: st, w: w, opts: o}
	e.cleanup = runtime.AddCleanup(e, func(s *state) { s.free() }, st)
	return e, nil
}

// NewFunc returns an audio.NewEncoderFunc that makes Encoders with opts
// (InputRate is taken from the source each time), for audio.Options.
func NewFunc(opts Options) audio.NewEncoderFunc {
	return func(w io.Writer, sampleRate int) (audio.Encoder, error) {
		o := opts
		o.InputRate = sampleRate
		return NewEncoder(w, o)
	}
}

// Options returns the options in force, defaults filled in.
func (e *Encoder) Options() Options { return e.opts }

// Encode encodes pcm (mono, at Options.InputRate) and writes whatever MP3
// bytes LAME has completed to the writer. LAME holds back up to about two
// frames (under 0.1 s) until more PCM or Close comes. An empty pcm does
// nothing.
func (e *Encoder) Encode(pcm []int16) error {
	if e.err != nil {
		return e.err
	}
	// LAME takes at most INT_MAX samples per call; keep each call's buffer
	// modest so that mp3 stays small.
	const step = 1 << 16
	for len(pcm) > 0 {
		n := min(len(pcm), step)
		if err := e.encode(pcm[:n]); err != nil {
			return err
		}
		pcm = pcm[n:]
	}
	return nil
}

func (e *Encoder) encode(pcm []int16) error {
	// LAME's documented worst case: 1.25 × samples + 7200 bytes (at the
	// input rate, which is never below the output rate by more than 2×
	// here, so this bound holds for resampling too).
	need := len(pcm)*5/4 + 7200
	if cap(e.mp3) < need {
		e.mp3 = make([]byte, need)
	}
	buf := e.mp3[:need]
	p := (*C.short)(unsafe.Pointer(&pcm[0]))
	// Mono: LAME reads only the left buffer; it is given twice because
	// some LAME builds check both pointers.
	n := C.lame_encode_buffer(e.st.gf, p, p, C.int(len(pcm)),
		(*C.uchar)(unsafe.Pointer(&buf[0])), C.int(len(buf)))
	runtime.KeepAlive(pcm)
	return e.write(buf, int(n))
}

// write hands n bytes of buf to the writer, or turns LAME's negative n into
// an error.
func (e *Encoder) write(buf []byte, n int) error {
	if n < 0 {
		e.err = fmt.Errorf("%w: LAME code %d", ErrEncode, n)
		return e.err
	}
	if n == 0 {
		return nil
	}
	if _, err := e.w.Write(buf[:n]); err != nil {
		e.err = fmt.Errorf("lame: write: %w", err)
		return e.err
	}
	return nil
}

// Close flushes the frames LAME holds (the last one padded with silence),
// writes them, and frees LAME. It does not close the writer. Close after
// Close returns ErrClosed; after an earlier write error it frees LAME and
// returns that error.
func (e *Encoder) Close() error {
	if e.st.gf == nil {
		return ErrClosed
	}
	defer e.free()
	if e.err != nil {
		return e.err
	}
	const need = 7200 // LAME: the flush writes at most 7200 bytes
	if cap(e.mp3) < need {
		e.mp3 = make([]byte, need)
	}
	buf := e.mp3[:need]
	n := C.lame_encode_flush(e.st.gf, (*C.uchar)(unsafe.Pointer(&buf[0])), C.int(len(buf)))
	return e.write(buf, int(n))
}

func (e *Encoder) free() {
	e.cleanup.Stop()
	e.st.free()
	if e.err == nil {
		e.err = ErrClosed
	}
}

// EncoderDelay is the number of samples (at the output rate) of silence
// LAME puts before the first input sample; a decoder that does not read a
// LAME tag (and these files have none) plays them.
func (e *Encoder) EncoderDelay() int {
	if e.st.gf == nil {
		return 0
	}
	return int(C.lame_get_encoder_delay(e.st.gf))
}
