package recfile

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Salvage is what Scan found in a file that a crash may have cut short.
type Salvage struct {
	// Header is the file's header.
	Header Header
	// Chunks is the number of whole authentic chunks the file starts with,
	// up to the first that is torn or fails authentication.
	Chunks int64
	// Final reports that the last of them is the final chunk: the file was
	// complete.
	Final bool

	src  io.ReaderAt
	size int64
	s    *stream
}

// Scan counts the whole authentic chunks at the start of the file held by
// src (size bytes), sealed under key for recording id: what crash recovery
// can keep. It fails only when the header is wrong (errors as NewReader's);
// a file with no whole chunk gives Chunks == 0.
func Scan(src io.ReaderAt, size int64, key []byte, id [16]byte) (*Salvage, error) {
	h, s, err := openStream(src, size, key, id)
	if err != nil {
		return nil, err
	}
	sv := &Salvage{Header: h, src: src, size: size, s: s}
	frame := make([]byte, FrameSize(h.ChunkSize))
	pt := make([]byte, 0, h.ChunkSize)
	defer clear(pt[:cap(pt)])
	for i := int64(0); ; i++ {
		ct, ok := sv.chunk(frame, i)
		if !ok {
			return sv, nil
		}
		if len(ct) == h.ChunkSize+tagSize {
			if _, err := s.open(pt[:0], ct, uint64(i), false); err == nil {
				sv.Chunks = i + 1
				continue
			}
		}
		if _, err := s.open(pt[:0], ct, uint64(i), true); err == nil {
			sv.Chunks, sv.Final = i+1, true
		}
		return sv, nil
	}
}

// chunk reads the frame of chunk i into frame and returns its ciphertext;
// ok is false where the file ends or the frame's length cannot be right.
func (sv *Salvage) chunk(frame []byte, i int64) (ct []byte, ok bool) {
	fs := int64(len(frame))
	off := HeaderSize + i*fs
	avail := sv.size - off
	if avail < minFrame {
		return nil, false
	}
	f := frame[:min(avail, fs)]
	if _, err := sv.src.ReadAt(f, off); err != nil {
		return nil, false
	}
	l := int64(binary.BigEndian.Uint32(f))
	if l < tagSize || l > fs-lengthSize || l > int64(len(f)-lengthSize) {
		return nil, false
	}
	return f[lengthSize : lengthSize+l], true
}

// CopyTo writes the plaintext of the salvaged chunks to w, authenticating
// each again as it is read (ErrTampered if one changed since Scan), and
// holds the last one back in w's buffer so that w.Close seals it as the
// final chunk, not as a full chunk followed by an empty final one. w must
// be new (nothing written) and of the same chunk size. It returns the
// number of plaintext bytes written or held.
func (sv *Salvage) CopyTo(w *Writer) (int64, error) {
	if w.chunkSize != sv.Header.ChunkSize || w.index != 0 || len(w.buf) != 0 {
		return 0, fmt.Errorf("recfile: salvage into a writer that is not new, or of chunk size %d, not %d",
			w.chunkSize, sv.Header.ChunkSize)
	}
	frame := make([]byte, FrameSize(sv.Header.ChunkSize))
	pt := make([]byte, 0, sv.Header.ChunkSize)
	defer clear(pt[:cap(pt)])
	var n int64
	for i := int64(0); i < sv.Chunks; i++ {
		ct, ok := sv.chunk(frame, i)
		last := i == sv.Chunks-1
		var p []byte
		var err error
		if ok {
			p, err = sv.s.open(pt[:0], ct, uint64(i), last && sv.Final)
		}
		if !ok || err != nil {
			return n, fmt.Errorf("chunk %d changed since the scan: %w", i, ErrTampered)
		}
		n += int64(len(p))
		if last {
			w.buf = append(w.buf[:0], p...)
			break
		}
		if _, err := w.Write(p); err != nil {
			return n, err
		}
	}
	return n, nil
}
