package recfile

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// stream seals and opens the chunks of one file: ChaCha20-Poly1305 under
// the file's key, nonce = 11-byte big-endian chunk index || final flag,
// associated data = the 32-byte header (age's STREAM, with the header bound
// to every chunk).
type stream struct {
	aead  cipher.AEAD
	ad    []byte
	nonce [chacha20poly1305.NonceSize]byte
}

func newStream(key, header []byte) (*stream, error) {
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, fmt.Errorf("recfile: key of %d bytes: %w", len(key), err)
	}
	return &stream{aead: aead, ad: header}, nil
}

func (s *stream) setNonce(i uint64, final bool) {
	clear(s.nonce[:])
	binary.BigEndian.PutUint64(s.nonce[3:11], i)
	if final {
		s.nonce[11] = 1
	}
}

func (s *stream) seal(dst, plaintext []byte, i uint64, final bool) []byte {
	s.setNonce(i, final)
	return s.aead.Seal(dst, s.nonce[:], plaintext, s.ad)
}

func (s *stream) open(dst, ciphertext []byte, i uint64, final bool) ([]byte, error) {
	s.setNonce(i, final)
	return s.aead.Open(dst, s.nonce[:], ciphertext, s.ad)
}

// readErr makes a read that ended early a truncation.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	return err
}
