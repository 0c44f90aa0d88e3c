package storage

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// keySize is the size of every key: master, recording, notes, derived.
const keySize = chacha20poly1305.KeySize

// Associated data for everything sealed with a random nonce. Binding the
// purpose and the owner's ID means a sealed blob moved to another row (a
// recording key copied onto another recording, one session's notes pasted
// into another's) fails to open instead of decrypting.
const (
	adPassphrase   = "assent/v1 master key under passphrase"
	adRecovery     = "assent/v1 master key under recovery key"
	adRecordingKey = "assent/v1 recording key " // + ID: a version-1 wrap, before terms were sealed
	// adRecordingKeyV2 + ID + "\n" + the terms as stored: the wrap binds
	// the recording's deletion date, session and purposes (terms.go).
	adRecordingKeyV2 = "assent/v2 recording key "
	adNotesKey       = "assent/v1 notes key "
	adNotes          = "assent/v1 notes "
	adPeaks          = "assent/v1 peaks "
	adMarkers        = "assent/v1 markers "
)

// HKDF info strings: the recording key is never used directly; the file
// stream, the peaks and the markers each get their own subkey.
const (
	infoStream   = "assent/v1 recording stream"
	infoPeaks    = "assent/v1 recording peaks"
	infoMarkers  = "assent/v1 recording markers"
	infoRecovery = "assent/v1 recovery key"
	infoAnchor   = "assent/v1 audit anchor" // the MAC key of the audit log's anchor (anchor.go)
)

func newKey() []byte {
	k := make([]byte, keySize)
	rand.Read(k) // never fails (crypto/rand since Go 1.24)
	return k
}

// newID returns 128 random bits as 32 lowercase hex characters.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// parseID decodes an ID made by newID. Anything else (and in particular
// anything with a path separator or a dot) is refused, which is what makes it
// safe for storage to turn an ID into a file name.
func parseID(id string) ([16]byte, error) {
	var b [16]byte
	if len(id) != 32 {
		return b, fmt.Errorf("id %q: %w", id, ErrInvalid)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return b, fmt.Errorf("id %q: %w", id, ErrInvalid)
		}
	}
	hex.Decode(b[:], []byte(id))
	return b, nil
}

// seal encrypts plaintext under key with XChaCha20-Poly1305 and a random
// 192-bit nonce, returning nonce || ciphertext.
func seal(key, plaintext []byte, ad string) []byte {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic(err) // key is always keySize
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	rand.Read(out)
	return aead.Seal(out, out, plaintext, []byte(ad))
}

// unseal reverses seal; it fails with ErrTampered for a wrong key, wrong
// associated data or altered bytes.
func unseal(key, sealed []byte, ad string) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("bad key length %d: %w", len(key), ErrTampered)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("sealed blob of %d bytes: %w", len(sealed), ErrTampered)
	}
	n := aead.NonceSize()
	pt, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(ad))
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}

// subkey derives a 256-bit key for one use of a data key.
func subkey(key []byte, info string) []byte {
	k, err := hkdf.Key(sha256.New, key, nil, info, keySize)
	if err != nil {
		panic(err) // only for lengths we never ask for
	}
	return k
}

// zero overwrites key material that is no longer needed. Go may have copied
// it elsewhere (the GC moves nothing, but append and string conversions
// copy); this is hygiene, not a guarantee.
func zero(b []byte) { clear(b) }
