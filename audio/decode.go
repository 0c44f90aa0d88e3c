package audio

import (
	"fmt"
	"io"

	"github.com/hajimehoshi/go-mp3"
)

// mp3Decoder is go-mp3's Decoder made safe for bytes that are not what it
// expects: go-mp3 panics on some malformed frames, and a corrupted file
// must be reported, never crash the app. A panic becomes an error wrapping
// ErrFormat, and the decoder then returns that error for good.
type mp3Decoder struct {
	d   *mp3.Decoder
	err error // sticky, after a panic
}

// malformed is the error a decoder panic becomes.
func malformed(v any) error {
	return fmt.Errorf("%w: malformed MP3 (decoder: %v)", ErrFormat, v)
}

func newMP3Decoder(r io.Reader) (dec *mp3Decoder, err error) {
	defer func() {
		if v := recover(); v != nil {
			dec, err = nil, malformed(v)
		}
	}()
	d, err := mp3.NewDecoder(r)
	if err != nil {
		return nil, fmt.Errorf("%w: open MP3: %w", ErrFormat, err)
	}
	return &mp3Decoder{d: d}, nil
}

// SampleRate is the decoded sample rate in Hz.
func (m *mp3Decoder) SampleRate() int { return m.d.SampleRate() }

// Length is the decoded length in bytes (4 per stereo frame), or -1.
func (m *mp3Decoder) Length() int64 { return m.d.Length() }

// Read reads decoded 16-bit little-endian stereo.
func (m *mp3Decoder) Read(p []byte) (n int, err error) {
	if m.err != nil {
		return 0, m.err
	}
	defer func() {
		if v := recover(); v != nil {
			m.err = malformed(v)
			n, err = 0, m.err
		}
	}()
	return m.d.Read(p)
}

// Seek moves to a decoded byte offset.
func (m *mp3Decoder) Seek(offset int64, whence int) (n int64, err error) {
	if m.err != nil {
		return 0, m.err
	}
	defer func() {
		if v := recover(); v != nil {
			m.err = malformed(v)
			n, err = 0, m.err
		}
	}()
	return m.d.Seek(offset, whence)
}
