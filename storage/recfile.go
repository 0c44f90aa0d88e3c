package storage

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// The recording file format; FORMAT.md is its specification.
const (
	recMagic      = "ASSENTRC"
	recVersion    = FormatVersion
	recHeaderSize = 32
	frameLenSize  = 4
	tagSize       = chacha20poly1305.Overhead
	minFrame      = frameLenSize + tagSize // an empty final chunk
)

// FormatVersion is the recording file format version this build writes and
// reads (FORMAT.md).
const FormatVersion = 1

// recHeader is the fixed 32-byte header of a recording file.
type recHeader struct {
	chunkSize int
	id        [16]byte
}

func (h recHeader) marshal() []byte {
	b := make([]byte, recHeaderSize)
	copy(b, recMagic)
	binary.BigEndian.PutUint16(b[8:], recVersion)
	// b[10:12] reserved, zero
	binary.BigEndian.PutUint32(b[12:], uint32(h.chunkSize))
	copy(b[16:], h.id[:])
	return b
}

func parseRecHeader(b []byte) (recHeader, error) {
	var h recHeader
	if len(b) < recHeaderSize {
		return h, fmt.Errorf("header of %d bytes: %w", len(b), ErrTruncated)
	}
	if string(b[:8]) != recMagic {
		return h, fmt.Errorf("not an Assent recording (bad magic): %w", ErrTampered)
	}
	if v := binary.BigEndian.Uint16(b[8:]); v != recVersion {
		return h, fmt.Errorf("format version %d: %w", v, ErrUnsupportedFormat)
	}
	if b[10] != 0 || b[11] != 0 {
		return h, fmt.Errorf("reserved header bytes set: %w", ErrTampered)
	}
	cs := binary.BigEndian.Uint32(b[12:])
	if cs < MinChunkSize || cs > MaxChunkSize {
		return h, fmt.Errorf("chunk size %d: %w", cs, ErrTampered)
	}
	h.chunkSize = int(cs)
	copy(h.id[:], b[16:32])
	return h, nil
}

func frameSize(chunkSize int) int64 { return int64(frameLenSize + chunkSize + tagSize) }

// streamCipher seals and opens the chunks of one file: ChaCha20-Poly1305
// under the file's stream key, nonce = 11-byte big-endian chunk index ||
// final flag, associated data = the 32-byte header (age's STREAM, with the
// header bound to every chunk).
type streamCipher struct {
	aead  cipher.AEAD
	ad    []byte
	nonce [chacha20poly1305.NonceSize]byte
}

func newStreamCipher(streamKey, header []byte) *streamCipher {
	aead, err := chacha20poly1305.New(streamKey)
	if err != nil {
		panic(err) // streamKey is always keySize
	}
	return &streamCipher{aead: aead, ad: header}
}

func (s *streamCipher) setNonce(i uint64, final bool) {
	clear(s.nonce[:])
	binary.BigEndian.PutUint64(s.nonce[3:11], i)
	if final {
		s.nonce[11] = 1
	}
}

func (s *streamCipher) seal(dst, plaintext []byte, i uint64, final bool) []byte {
	s.setNonce(i, final)
	return s.aead.Seal(dst, s.nonce[:], plaintext, s.ad)
}

func (s *streamCipher) open(dst, ciphertext []byte, i uint64, final bool) ([]byte, error) {
	s.setNonce(i, final)
	return s.aead.Open(dst, s.nonce[:], ciphertext, s.ad)
}

// chunkSink is where sealed frames go: a file in use, a buffer in tests.
type chunkSink interface {
	io.Writer
	Sync() error
}

// sealWriter turns plaintext into sealed frames. A chunk is sealed, written
// and synced as soon as chunkSize bytes have arrived; Close seals what is
// left (possibly nothing) as the final chunk.
type sealWriter struct {
	sink      chunkSink
	sc        *streamCipher
	chunkSize int
	buf       []byte // plaintext waiting for a full chunk
	frame     []byte
	index     uint64 // chunks written
	sealed    int64  // plaintext bytes in written chunks
	syncEach  bool   // fsync after every chunk (recording), or only at the end (recovery)
	err       error  // sticky
	done      bool   // final chunk written
}

// newSealWriter writes the header to sink and returns a writer for the
// chunks.
func newSealWriter(sink chunkSink, streamKey []byte, h recHeader, syncEach bool) (*sealWriter, error) {
	hdr := h.marshal()
	if _, err := sink.Write(hdr); err != nil {
		return nil, err
	}
	if err := sink.Sync(); err != nil {
		return nil, err
	}
	return &sealWriter{
		sink:      sink,
		sc:        newStreamCipher(streamKey, hdr),
		chunkSize: h.chunkSize,
		buf:       make([]byte, 0, h.chunkSize),
		frame:     make([]byte, 0, frameSize(h.chunkSize)),
		syncEach:  syncEach,
	}, nil
}

// Write buffers p, sealing and writing every chunk it completes.
func (w *sealWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.done {
		return 0, ErrClosed
	}
	n := 0
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

func (w *sealWriter) flush(final bool) error {
	f := binary.BigEndian.AppendUint32(w.frame[:0], uint32(len(w.buf)+tagSize))
	f = w.sc.seal(f, w.buf, w.index, final)
	if _, err := w.sink.Write(f); err != nil {
		w.err = err
		return err
	}
	if w.syncEach || final {
		if err := w.sink.Sync(); err != nil {
			w.err = err
			return err
		}
	}
	w.index++
	w.sealed += int64(len(w.buf))
	clear(w.buf)
	w.buf = w.buf[:0]
	if final {
		w.done = true
	}
	return nil
}

// finish seals the final chunk.
func (w *sealWriter) finish() error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return nil
	}
	return w.flush(true)
}

// goodSize is the length of the file up to the last chunk fully written.
func (w *sealWriter) goodSize() int64 {
	return recHeaderSize + int64(w.index)*frameSize(w.chunkSize)
}

func (w *sealWriter) wipe() {
	clear(w.buf[:cap(w.buf)])
	w.buf = w.buf[:0]
}

// recReader reads the plaintext of a sealed file with random access. It
// authenticates the final chunk when it is made (so the size it reports is
// true) and every other chunk when it is read; it never returns bytes from a
// chunk that failed.
type recReader struct {
	r         io.ReaderAt
	sc        *streamCipher
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

// newRecReader checks the header of the file held by r (fileSize bytes)
// against the expected recording ID and authenticates its final chunk.
func newRecReader(r io.ReaderAt, fileSize int64, streamKey []byte, id [16]byte) (*recReader, error) {
	hdr := make([]byte, recHeaderSize)
	if fileSize < recHeaderSize {
		return nil, fmt.Errorf("file of %d bytes: %w", fileSize, ErrTruncated)
	}
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("read header: %w", readErr(err))
	}
	h, err := parseRecHeader(hdr)
	if err != nil {
		return nil, err
	}
	if h.id != id {
		return nil, fmt.Errorf("file belongs to another recording: %w", ErrTampered)
	}
	rr := &recReader{
		r:         r,
		sc:        newStreamCipher(streamKey, hdr),
		chunkSize: int64(h.chunkSize),
		frameSize: frameSize(h.chunkSize),
		fileSize:  fileSize,
		curIdx:    -1,
	}
	rr.frame = make([]byte, rr.frameSize)
	rr.cur = make([]byte, 0, rr.chunkSize)

	rem := fileSize - recHeaderSize
	if rem < minFrame {
		return nil, fmt.Errorf("no final chunk: %w", ErrTruncated)
	}
	rr.chunks = (rem + rr.frameSize - 1) / rr.frameSize
	last := rr.chunks - 1
	lastLen := rem - last*rr.frameSize
	if lastLen < minFrame {
		return nil, fmt.Errorf("chunk %d cut short: %w", last, ErrTruncated)
	}
	f := rr.frame[:lastLen]
	off := recHeaderSize + last*rr.frameSize
	if _, err := r.ReadAt(f, off); err != nil {
		return nil, fmt.Errorf("read chunk %d: %w", last, readErr(err))
	}
	claimed := int64(binary.BigEndian.Uint32(f))
	switch {
	case claimed > lastLen-frameLenSize && claimed <= rr.chunkSize+tagSize:
		return nil, fmt.Errorf("chunk %d cut short: %w", last, ErrTruncated)
	case claimed != lastLen-frameLenSize:
		return nil, fmt.Errorf("chunk %d: bad length: %w", last, ErrTampered)
	}
	pt, err := rr.sc.open(rr.cur[:0], f[frameLenSize:], uint64(last), true)
	if err != nil {
		if claimed == rr.chunkSize+tagSize {
			if _, err2 := rr.sc.open(rr.cur[:0], f[frameLenSize:], uint64(last), false); err2 == nil {
				clear(rr.cur[:cap(rr.cur)])
				return nil, fmt.Errorf("final chunk missing after chunk %d: %w", last, ErrTruncated)
			}
		}
		return nil, fmt.Errorf("chunk %d: %w", last, ErrTampered)
	}
	rr.cur, rr.curIdx = pt, last
	rr.size = last*rr.chunkSize + int64(len(pt))
	return rr, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	return err
}

// load makes chunk i the current one.
func (rr *recReader) load(i int64) error {
	if rr.curIdx == i {
		return nil
	}
	flen := rr.frameSize
	if i == rr.chunks-1 {
		flen = rr.fileSize - recHeaderSize - i*rr.frameSize
	}
	f := rr.frame[:flen]
	if _, err := rr.r.ReadAt(f, recHeaderSize+i*rr.frameSize); err != nil {
		return fmt.Errorf("read chunk %d: %w", i, readErr(err))
	}
	if int64(binary.BigEndian.Uint32(f)) != flen-frameLenSize {
		return fmt.Errorf("chunk %d: bad length: %w", i, ErrTampered)
	}
	clear(rr.cur[:cap(rr.cur)])
	rr.curIdx = -1
	pt, err := rr.sc.open(rr.cur[:0], f[frameLenSize:], uint64(i), i == rr.chunks-1)
	if err != nil {
		return fmt.Errorf("chunk %d: %w", i, ErrTampered)
	}
	rr.cur, rr.curIdx = pt, i
	return nil
}

// Read returns plaintext from the current position, at most to the end of
// its chunk.
func (rr *recReader) Read(p []byte) (int, error) {
	if rr.pos >= rr.size {
		return 0, io.EOF
	}
	i := rr.pos / rr.chunkSize
	if err := rr.load(i); err != nil {
		return 0, err
	}
	n := copy(p, rr.cur[rr.pos-i*rr.chunkSize:])
	rr.pos += int64(n)
	return n, nil
}

// Seek moves the position; it reads nothing until the next Read.
func (rr *recReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = rr.pos + offset
	case io.SeekEnd:
		abs = rr.size + offset
	default:
		return rr.pos, fmt.Errorf("seek: invalid whence %d: %w", whence, ErrInvalid)
	}
	if abs < 0 {
		return rr.pos, fmt.Errorf("seek to %d: negative position: %w", abs, ErrInvalid)
	}
	rr.pos = abs
	return abs, nil
}

func (rr *recReader) wipe() {
	clear(rr.cur[:cap(rr.cur)])
	rr.curIdx = -1
}

// scanChunks counts the authentic chunks at the start of a file whose header
// was checked, stopping at the first that is torn or fails: what crash
// recovery keeps. final reports that the last good chunk is a final one (the
// file was complete).
func scanChunks(r io.ReaderAt, fileSize int64, sc *streamCipher, chunkSize int) (good int64, final bool) {
	fs := frameSize(chunkSize)
	frame := make([]byte, fs)
	pt := make([]byte, 0, chunkSize)
	defer clear(pt[:cap(pt)])
	for i := int64(0); ; i++ {
		off := recHeaderSize + i*fs
		avail := fileSize - off
		if avail < minFrame {
			return i, false
		}
		f := frame[:min(avail, fs)]
		if _, err := r.ReadAt(f, off); err != nil {
			return i, false
		}
		l := int64(binary.BigEndian.Uint32(f))
		if l < tagSize || l > int64(chunkSize+tagSize) || l > int64(len(f)-frameLenSize) {
			return i, false
		}
		ct := f[frameLenSize : frameLenSize+l]
		if l == int64(chunkSize+tagSize) {
			if _, err := sc.open(pt[:0], ct, uint64(i), false); err == nil {
				continue
			}
		}
		if _, err := sc.open(pt[:0], ct, uint64(i), true); err == nil {
			return i + 1, true
		}
		return i, false
	}
}
