package recfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Sink is where a Writer puts a file: an *os.File, or a buffer in tests.
// Sync makes what was written durable.
type Sink interface {
	io.Writer
	Sync() error
}

// Durability says when a Writer syncs its sink. The header and the final
// chunk are always followed by a sync.
type Durability int

const (
	// SyncEachChunk syncs after every chunk, so a crash loses at most the
	// chunk being filled: for a recording being made.
	SyncEachChunk Durability = iota
	// SyncAtClose syncs only after the final chunk: for a file written in
	// one go and made durable as a whole before it is used (a rewrite).
	SyncAtClose
)

// errWiped is what a Writer returns once Wipe (or a failed Close) has
// zeroed its buffer.
var errWiped = errors.New("recfile: writer was wiped")

// Writer seals plaintext into a file. A chunk is sealed, written (one Write
// to the sink per chunk) and, with SyncEachChunk, synced as soon as
// ChunkSize bytes have arrived; Close seals what is left, possibly nothing,
// as the final chunk. A Writer is not safe for concurrent use.
type Writer struct {
	dst       Sink
	s         *stream
	chunkSize int
	buf       []byte // plaintext waiting for a full chunk
	frame     []byte
	index     uint64 // chunks written
	sealed    int64  // plaintext bytes in written chunks
	each      bool   // sync after every chunk
	err       error  // sticky: the write or sync that failed
	done      bool   // final chunk written
	wiped     bool   // the buffer was zeroed: nothing more is written
}

// NewWriter writes and syncs h's header to dst and returns a Writer for the
// chunks, sealed under key (32 bytes). key must be used for no other file:
// each (chunk index, final flag) is sealed once per key. h.ChunkSize must be
// within [MinChunkSize, MaxChunkSize].
func NewWriter(dst Sink, key []byte, h Header, d Durability) (*Writer, error) {
	if h.ChunkSize < MinChunkSize || h.ChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("recfile: chunk size %d outside [%d, %d]", h.ChunkSize, MinChunkSize, MaxChunkSize)
	}
	hdr := h.Marshal()
	s, err := newStream(key, hdr)
	if err != nil {
		return nil, err
	}
	if _, err := dst.Write(hdr); err != nil {
		return nil, err
	}
	if err := dst.Sync(); err != nil {
		return nil, err
	}
	return &Writer{
		dst:       dst,
		s:         s,
		chunkSize: h.ChunkSize,
		buf:       make([]byte, 0, h.ChunkSize),
		frame:     make([]byte, 0, FrameSize(h.ChunkSize)),
		each:      d == SyncEachChunk,
	}, nil
}

// Write takes plaintext, sealing and writing every chunk it completes. n
// counts the bytes buffered or sealed; after an error it excludes the bytes
// of the chunk whose write failed, which stay buffered (see Resume). Every
// later Write returns the same error.
func (w *Writer) Write(p []byte) (n int, err error) {
	switch {
	case w.err != nil:
		return 0, w.err
	case w.done:
		return 0, errors.New("recfile: write after Close")
	case w.wiped:
		return 0, errWiped
	}
	for len(p) > 0 {
		k := copy(w.buf[len(w.buf):w.chunkSize], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		if len(w.buf) == w.chunkSize {
			if err := w.flush(false); err != nil {
				return n, err
			}
		}
		n += k
	}
	return n, nil
}

func (w *Writer) flush(final bool) error {
	f := binary.BigEndian.AppendUint32(w.frame[:0], uint32(len(w.buf)+tagSize))
	f = w.s.seal(f, w.buf, w.index, final)
	if _, err := w.dst.Write(f); err != nil {
		w.err = err
		return err
	}
	if w.each || final {
		if err := w.dst.Sync(); err != nil {
			w.err = err
			return err
		}
	}
	w.index++
	w.sealed += int64(len(w.buf))
	clear(w.buf)
	w.buf = w.buf[:0]
	w.done = final
	return nil
}

// Close seals the buffered plaintext (possibly none) as the final chunk,
// writes it and syncs, then zeroes the buffer, whatever the outcome. It
// does not close the sink. Closing again returns nil once the final chunk
// is written; after a failed Write, Close returns that error unless Resume
// was called.
func (w *Writer) Close() error {
	switch {
	case w.done:
		return nil
	case w.err != nil:
		return w.err
	case w.wiped:
		return errWiped
	}
	defer w.Wipe()
	return w.flush(true)
}

// Err is the error of the Write that failed, until Resume; nil if none did.
func (w *Writer) Err() error { return w.err }

// Sealed is the number of plaintext bytes in the chunks written so far;
// after Close, the size of the plaintext the file holds.
func (w *Writer) Sealed() int64 { return w.sealed }

// FileSize is the length of the file up to the end of the last chunk
// written in full: after a failed Write, where to cut the sink back to.
func (w *Writer) FileSize() int64 {
	return HeaderSize + int64(w.index)*FrameSize(w.chunkSize)
}

// Resume forgets the error of a failed Write, so that Close may still end
// the file properly. The caller must first have cut the sink back to
// FileSize bytes and placed its next write there (for a file: Truncate and
// Seek). Close then seals the buffered bytes, the chunk whose write failed
// included, as the final chunk.
func (w *Writer) Resume() { w.err = nil }

// Wipe zeroes the plaintext the Writer holds. Nothing more is written:
// Write and Close fail from then on (Close after a successful Close still
// returns nil).
func (w *Writer) Wipe() {
	clear(w.buf[:cap(w.buf)])
	w.buf = w.buf[:0]
	w.wiped = true
}
