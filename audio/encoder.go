package audio

import "io"

// Encoder compresses mono 16-bit PCM and writes the result to the writer
// it was made with (audio/lame's Encoder writes MP3).
//
// Encode takes samples at the rate the Encoder was made for and writes
// whatever compressed bytes are complete; it may hold back a little audio
// until more comes or Close. Close writes what is held back, frees the
// Encoder, and does not close the writer. An error from the writer is
// returned (wrapped) by the Encode or Close that met it; the Encoder is
// unusable after any error. An Encoder is used from one goroutine.
type Encoder interface {
	// Encode compresses pcm and writes the completed bytes.
	Encode(pcm []int16) error
	// Close flushes the last bytes to the writer and frees the Encoder.
	Close() error
}

// NewEncoderFunc makes an Encoder that writes to w and takes PCM at
// sampleRate Hz. lame.NewFunc returns one.
type NewEncoderFunc func(w io.Writer, sampleRate int) (Encoder, error)
