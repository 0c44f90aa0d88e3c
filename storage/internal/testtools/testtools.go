// Package testtools holds what the tests of storage and of its internal
// packages share: deterministic bytes and checks on what a reader returns.
// It is for tests only.
package testtools

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// RandomBytes is n bytes of deterministic noise, like MP3 frames as far as
// sealing is concerned: the same seed gives the same bytes.
func RandomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// EqualBytes fails the test if got is not want, saying how much of it
// matched.
func EqualBytes(tb testing.TB, got, want []byte) {
	tb.Helper()
	if !bytes.Equal(got, want) {
		tb.Fatalf("got %d bytes, want %d bytes (equal prefix %d)", len(got), len(want), CommonPrefix(got, want))
	}
}

// CommonPrefix is the length of the longest common prefix of a and b.
func CommonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// ReadChecked reads r to the end and returns the error that stopped it, if
// any. It fails the test if a byte comes out that is not want's, or if r
// ends early without an error: a reader of sealed data may stop, but never
// return what was not sealed.
func ReadChecked(tb testing.TB, r io.Reader, want []byte) error {
	tb.Helper()
	got, err := io.ReadAll(r)
	if !bytes.Equal(got, want[:min(len(got), len(want))]) {
		tb.Fatalf("reader returned %d bytes that differ from what was written", len(got))
	}
	if err == nil && len(got) != len(want) {
		tb.Fatalf("reader returned %d bytes without error, want %d", len(got), len(want))
	}
	return err
}
