package recfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// Version is the format version this package writes and reads.
const Version = 1

// Sizes of the format (FORMAT.md, "Layout").
const (
	// HeaderSize is the size of the header that starts every file.
	HeaderSize = 32
	// MinChunkSize and MaxChunkSize bound a file's chunk size; a header
	// outside them is refused, so that a hostile header cannot make a
	// reader allocate a huge chunk.
	MinChunkSize = 64
	MaxChunkSize = 1 << 20
	// Overhead is what framing and sealing add to each chunk: a 4-byte
	// length and a 16-byte tag.
	Overhead = lengthSize + tagSize
)

const (
	magic      = "ASSENTRC"
	lengthSize = 4
	tagSize    = chacha20poly1305.Overhead
	minFrame   = Overhead // an empty final chunk
)

// Errors. Each error this package returns for a file that is not what was
// sealed matches one of them (errors.Is) and says where (a chunk index, a
// field) in its message.
var (
	// ErrTampered: bytes fail authentication or the layout check (a flipped
	// bit, reordered, repeated or spliced chunks, a file of another
	// recording, a bad length). No byte of a failed chunk is returned.
	ErrTampered = errors.New("recfile: data was altered or is damaged")
	// ErrTruncated: the file ends before its final chunk.
	ErrTruncated = errors.New("recfile: file ends before its final chunk")
	// ErrUnsupportedFormat: the header names a version other than Version.
	ErrUnsupportedFormat = errors.New("recfile: unsupported format version")
)

// Header is the fixed 32-byte header of a file. It is the associated data
// of every chunk, so a chunk opens only in the file it was sealed for.
type Header struct {
	// ChunkSize is the plaintext size of every chunk but the final one,
	// MinChunkSize ≤ ChunkSize ≤ MaxChunkSize.
	ChunkSize int
	// ID is the recording's ID (its 16 bytes; storage shows them as hex).
	ID [16]byte
}

// Marshal returns the header's 32 bytes. It does not check ChunkSize;
// NewWriter does.
func (h Header) Marshal() []byte {
	b := make([]byte, HeaderSize)
	copy(b, magic)
	binary.BigEndian.PutUint16(b[8:], Version)
	// b[10:12] reserved, zero
	binary.BigEndian.PutUint32(b[12:], uint32(h.ChunkSize))
	copy(b[16:], h.ID[:])
	return b
}

// ParseHeader decodes the first HeaderSize bytes of b. Errors: ErrTruncated
// (b is shorter), ErrUnsupportedFormat (another version), ErrTampered
// (anything else wrong: magic, reserved bytes, chunk size out of bounds).
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, fmt.Errorf("header of %d bytes: %w", len(b), ErrTruncated)
	}
	if string(b[:8]) != magic {
		return h, fmt.Errorf("not an Assent recording (bad magic): %w", ErrTampered)
	}
	if v := binary.BigEndian.Uint16(b[8:]); v != Version {
		return h, fmt.Errorf("format version %d: %w", v, ErrUnsupportedFormat)
	}
	if b[10] != 0 || b[11] != 0 {
		return h, fmt.Errorf("reserved header bytes set: %w", ErrTampered)
	}
	cs := binary.BigEndian.Uint32(b[12:])
	if cs < MinChunkSize || cs > MaxChunkSize {
		return h, fmt.Errorf("chunk size %d: %w", cs, ErrTampered)
	}
	h.ChunkSize = int(cs)
	copy(h.ID[:], b[16:HeaderSize])
	return h, nil
}

// FrameSize is the on-disk size of a full chunk: chunkSize + Overhead.
// Chunk i starts at HeaderSize + i·FrameSize(chunkSize).
func FrameSize(chunkSize int) int64 { return int64(chunkSize + Overhead) }

// openStream reads and parses the header of a file of size bytes, checks
// that it belongs to recording id, and returns the stream that seals its
// chunks under key.
func openStream(src io.ReaderAt, size int64, key []byte, id [16]byte) (Header, *stream, error) {
	if size < HeaderSize {
		return Header{}, nil, fmt.Errorf("file of %d bytes: %w", size, ErrTruncated)
	}
	hdr := make([]byte, HeaderSize)
	if _, err := src.ReadAt(hdr, 0); err != nil {
		return Header{}, nil, fmt.Errorf("read header: %w", readErr(err))
	}
	h, err := ParseHeader(hdr)
	if err != nil {
		return Header{}, nil, err
	}
	if h.ID != id {
		return Header{}, nil, fmt.Errorf("file belongs to another recording: %w", ErrTampered)
	}
	s, err := newStream(key, hdr)
	return h, s, err
}
