package recfile_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/assent-recorder/assent/storage/internal/recfile"
	"github.com/assent-recorder/assent/storage/internal/testtools"
)

const testChunk = recfile.MinChunkSize // small chunks: many chunks from few bytes

var (
	testKey = bytes.Repeat([]byte{0x42}, 32)
	testID  = [16]byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
)

// memSink is a file in memory; it counts syncs.
type memSink struct {
	bytes.Buffer
	syncs int
}

func (m *memSink) Sync() error { m.syncs++; return nil }

// seal returns the file that sealing plaintext gives, written in one Write.
func seal(tb testing.TB, key []byte, id [16]byte, chunkSize int, plaintext []byte) []byte {
	tb.Helper()
	var buf memSink
	w, err := recfile.NewWriter(&buf, key, recfile.Header{ChunkSize: chunkSize, ID: id}, recfile.SyncEachChunk)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// open reads a whole file through NewReader; it fails the test if bytes
// come out that differ from want, and returns the error that stopped it.
func open(t *testing.T, file []byte, key []byte, id [16]byte, want []byte) error {
	t.Helper()
	r, err := recfile.NewReader(bytes.NewReader(file), int64(len(file)), key, id)
	if err != nil {
		return err
	}
	return testtools.ReadChecked(t, r, want)
}

// isFormatErr reports whether err is one of the package's errors about a
// file's content.
func isFormatErr(err error) bool {
	return errors.Is(err, recfile.ErrTampered) || errors.Is(err, recfile.ErrTruncated) || errors.Is(err, recfile.ErrUnsupportedFormat)
}

var (
	randomBytes  = testtools.RandomBytes
	equalBytes   = testtools.EqualBytes
	commonPrefix = testtools.CommonPrefix
)
