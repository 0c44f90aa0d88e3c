package recfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Reader reads the plaintext of a sealed file with random access. It
// authenticates the final chunk when it is made, so the Size it reports is
// true, and every other chunk when it is read; it never returns a byte of a
// chunk that failed. A Reader is not safe for concurrent use.
type Reader struct {
	src       io.ReaderAt
	s         *stream
	h         Header
	chunkSize int64
	frameSize int64
	fileSize  int64
	chunks    int64 // ≥ 1, the last one final
	size      int64 // plaintext bytes
	pos       int64
	cur       []byte // plaintext of chunk curIdx
	curIdx    int64
	frame     []byte
}

var _ io.ReadSeeker = (*Reader)(nil)

// NewReader opens the file held by src (size bytes) sealed under key for
// recording id: it checks the header and authenticates the final chunk.
// Errors: ErrUnsupportedFormat (another version), ErrTruncated (the file
// ends before its final chunk: the last whole chunk opens only as a
// non-final one, or the file ends inside a frame), ErrTampered (anything
// else: another recording's file, a wrong key, altered bytes), or an error
// of src.
func NewReader(src io.ReaderAt, size int64, key []byte, id [16]byte) (*Reader, error) {
	h, s, err := openStream(src, size, key, id)
	if err != nil {
		return nil, err
	}
	r := &Reader{
		src:       src,
		s:         s,
		h:         h,
		chunkSize: int64(h.ChunkSize),
		frameSize: FrameSize(h.ChunkSize),
		fileSize:  size,
		curIdx:    -1,
	}
	r.frame = make([]byte, r.frameSize)
	r.cur = make([]byte, 0, r.chunkSize)

	rem := size - HeaderSize
	if rem < minFrame {
		return nil, fmt.Errorf("no final chunk: %w", ErrTruncated)
	}
	r.chunks = (rem + r.frameSize - 1) / r.frameSize
	last := r.chunks - 1
	lastLen := rem - last*r.frameSize
	if lastLen < minFrame {
		return nil, fmt.Errorf("chunk %d cut short: %w", last, ErrTruncated)
	}
	f := r.frame[:lastLen]
	if _, err := src.ReadAt(f, HeaderSize+last*r.frameSize); err != nil {
		return nil, fmt.Errorf("read chunk %d: %w", last, readErr(err))
	}
	claimed := int64(binary.BigEndian.Uint32(f))
	switch {
	case claimed > lastLen-lengthSize && claimed <= r.chunkSize+tagSize:
		return nil, fmt.Errorf("chunk %d cut short: %w", last, ErrTruncated)
	case claimed != lastLen-lengthSize:
		return nil, fmt.Errorf("chunk %d: bad length: %w", last, ErrTampered)
	}
	pt, err := r.s.open(r.cur[:0], f[lengthSize:], uint64(last), true)
	if err != nil {
		if claimed == r.chunkSize+tagSize {
			if _, err2 := r.s.open(r.cur[:0], f[lengthSize:], uint64(last), false); err2 == nil {
				clear(r.cur[:cap(r.cur)])
				return nil, fmt.Errorf("final chunk missing after chunk %d: %w", last, ErrTruncated)
			}
		}
		return nil, fmt.Errorf("chunk %d: %w", last, ErrTampered)
	}
	r.cur, r.curIdx = pt, last
	r.size = last*r.chunkSize + int64(len(pt))
	return r, nil
}

// Header is the file's header.
func (r *Reader) Header() Header { return r.h }

// Size is the number of plaintext bytes the file holds.
func (r *Reader) Size() int64 { return r.size }

// load makes chunk i the current one.
func (r *Reader) load(i int64) error {
	if r.curIdx == i {
		return nil
	}
	flen := r.frameSize
	if i == r.chunks-1 {
		flen = r.fileSize - HeaderSize - i*r.frameSize
	}
	f := r.frame[:flen]
	if _, err := r.src.ReadAt(f, HeaderSize+i*r.frameSize); err != nil {
		return fmt.Errorf("read chunk %d: %w", i, readErr(err))
	}
	if int64(binary.BigEndian.Uint32(f)) != flen-lengthSize {
		return fmt.Errorf("chunk %d: bad length: %w", i, ErrTampered)
	}
	clear(r.cur[:cap(r.cur)])
	r.curIdx = -1
	pt, err := r.s.open(r.cur[:0], f[lengthSize:], uint64(i), i == r.chunks-1)
	if err != nil {
		return fmt.Errorf("chunk %d: %w", i, ErrTampered)
	}
	r.cur, r.curIdx = pt, i
	return nil
}

// Read reads plaintext from the current position, at most to the end of
// its chunk, and returns io.EOF at the end. An error other than io.EOF
// matches ErrTampered or ErrTruncated, or comes from src; p then holds
// nothing of the failed chunk.
func (r *Reader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	i := r.pos / r.chunkSize
	if err := r.load(i); err != nil {
		return 0, err
	}
	n := copy(p, r.cur[r.pos-i*r.chunkSize:])
	r.pos += int64(n)
	return n, nil
}

// Seek sets the position for the next Read (io.Seeker); it reads nothing.
// A position past the end is allowed (Read returns io.EOF); a negative one
// is an error.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return r.pos, fmt.Errorf("recfile: seek: invalid whence %d", whence)
	}
	if abs < 0 {
		return r.pos, errors.New("recfile: seek to a negative position")
	}
	r.pos = abs
	return abs, nil
}

// Wipe zeroes the plaintext the Reader holds in memory. A later Read
// authenticates its chunk again.
func (r *Reader) Wipe() {
	clear(r.cur[:cap(r.cur)])
	r.curIdx = -1
}
