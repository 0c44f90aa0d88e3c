package recfile_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// Sizes around every chunk boundary, for the chunk sizes at the bounds
// and the default; written in one Write and in odd pieces.
func TestRoundTrip(t *testing.T) {
	for _, cs := range []int{recfile.MinChunkSize, 1024, recfile.MaxChunkSize} {
		for _, n := range []int{0, 1, cs - 1, cs, cs + 1, 2 * cs, 3*cs + 5} {
			want := randomBytes(n, uint64(n))
			file := seal(t, testKey, testID, cs, want)
			full := n / cs // full chunks; the final one holds the rest, possibly nothing
			if wantLen := int64(recfile.HeaderSize) + int64(full)*recfile.FrameSize(cs) + int64(n%cs+recfile.Overhead); int64(len(file)) != wantLen {
				t.Errorf("chunk %d, %d bytes: file of %d bytes, want %d", cs, n, len(file), wantLen)
			}
			if err := open(t, file, testKey, testID, want); err != nil {
				t.Fatalf("chunk %d, %d bytes: %v", cs, n, err)
			}
			var pieces memSink
			w, _ := recfile.NewWriter(&pieces, testKey, recfile.Header{ChunkSize: cs, ID: testID}, recfile.SyncEachChunk)
			for rest, k := want, 1; len(rest) > 0; k = k%97 + 1 {
				k := min(k, len(rest))
				if m, err := w.Write(rest[:k]); err != nil || m != k {
					t.Fatalf("Write(%d) = %d, %v", k, m, err)
				}
				rest = rest[k:]
			}
			if err := w.Close(); err != nil || w.Sealed() != int64(n) {
				t.Fatalf("Close = %v, Sealed = %d", err, w.Sealed())
			}
			if !bytes.Equal(pieces.Bytes(), file) {
				t.Errorf("chunk %d, %d bytes: writing in pieces gives another file", cs, n)
			}
		}
	}
}

func TestSeek(t *testing.T) {
	want := randomBytes(10*testChunk+17, 3)
	file := seal(t, testKey, testID, testChunk, want)
	r, err := recfile.NewReader(bytes.NewReader(file), int64(len(file)), testKey, testID)
	if err != nil {
		t.Fatal(err)
	}
	if end, err := r.Seek(0, io.SeekEnd); err != nil || end != int64(len(want)) || r.Size() != end {
		t.Fatalf("Seek(0, End) = %d, %v; Size %d; want %d", end, err, r.Size(), len(want))
	}
	// Every chunk start, every chunk end, and a few positions inside, in a
	// scrambled order.
	var offsets []int64
	for c := int64(0); c <= int64(len(want))/testChunk; c++ {
		offsets = append(offsets, c*testChunk, c*testChunk+testChunk-1, c*testChunk+testChunk/2)
	}
	for i := range offsets {
		j := (i * 7919) % len(offsets)
		offsets[i], offsets[j] = offsets[j], offsets[i]
	}
	buf := make([]byte, 3*testChunk)
	for _, off := range offsets {
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		n, err := io.ReadFull(r, buf)
		wantN := min(int64(len(buf)), max(0, int64(len(want))-off))
		if int64(n) != wantN || (err != nil && err != io.ErrUnexpectedEOF && err != io.EOF) {
			t.Fatalf("read at %d: %d, %v; want %d bytes", off, n, err, wantN)
		}
		if !bytes.Equal(buf[:n], want[min(off, int64(len(want))):min(off+int64(n), int64(len(want)))]) {
			t.Fatalf("read at %d: wrong bytes", off)
		}
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to -1 succeeded")
	}
	if pos, err := r.Seek(-5, io.SeekEnd); err != nil || pos != int64(len(want))-5 {
		t.Errorf("Seek(-5, End) = %d, %v", pos, err)
	}
	if pos, err := r.Seek(2, io.SeekCurrent); err != nil || pos != int64(len(want))-3 {
		t.Errorf("Seek(2, Current) = %d, %v", pos, err)
	}
}

// tamperable is a file of four full chunks and a final half one.
func tamperable(t *testing.T, seed uint64) (file, plain []byte) {
	plain = randomBytes(4*testChunk+testChunk/2, seed)
	return seal(t, testKey, testID, testChunk, plain), plain
}

func TestTamperFlipAnyByte(t *testing.T) {
	orig, plain := tamperable(t, 1)
	for i := range orig {
		b := bytes.Clone(orig)
		b[i] ^= 0x01 << (i % 8)
		if err := open(t, b, testKey, testID, plain); !isFormatErr(err) {
			t.Fatalf("flipping byte %d: err = %v, want ErrTampered", i, err)
		}
	}
}

func TestTamperSwapChunks(t *testing.T) {
	b, plain := tamperable(t, 2)
	fs := recfile.FrameSize(testChunk)
	c1 := bytes.Clone(b[recfile.HeaderSize+fs : recfile.HeaderSize+2*fs])
	c2 := bytes.Clone(b[recfile.HeaderSize+2*fs : recfile.HeaderSize+3*fs])
	copy(b[recfile.HeaderSize+fs:], c2)
	copy(b[recfile.HeaderSize+2*fs:], c1)
	if err := open(t, b, testKey, testID, plain); !errors.Is(err, recfile.ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
	// A chunk repeated in place of the next.
	b, _ = tamperable(t, 2)
	copy(b[recfile.HeaderSize+2*fs:], b[recfile.HeaderSize+fs:recfile.HeaderSize+2*fs])
	if err := open(t, b, testKey, testID, plain); !errors.Is(err, recfile.ErrTampered) {
		t.Fatalf("repeated chunk: err = %v, want ErrTampered", err)
	}
}

func TestTamperDropFinalChunk(t *testing.T) {
	b, plain := tamperable(t, 3)
	fs := recfile.FrameSize(testChunk)
	full := (int64(len(b)) - recfile.HeaderSize) / fs
	for _, c := range []struct {
		name string
		size int64
	}{
		{"the final chunk", recfile.HeaderSize + full*fs},
		{"more than the final chunk", recfile.HeaderSize + 2*fs},
		{"into the middle of a chunk", int64(len(b)) - 5},
		{"every chunk", recfile.HeaderSize},
		{"into the header", recfile.HeaderSize - 1},
	} {
		if err := open(t, b[:c.size], testKey, testID, plain); !errors.Is(err, recfile.ErrTruncated) {
			t.Errorf("cut %s: err = %v, want ErrTruncated", c.name, err)
		}
	}
}

func TestTamperSpliceFromAnotherRecording(t *testing.T) {
	b1, plain1 := tamperable(t, 4)
	otherKey := bytes.Repeat([]byte{0x43}, 32)
	otherID := testID
	otherID[15]++
	fs := recfile.FrameSize(testChunk)
	for _, other := range []struct {
		name string
		key  []byte
		id   [16]byte
	}{{"other key", otherKey, testID}, {"other recording", testKey, otherID}, {"both", otherKey, otherID}} {
		b2 := seal(t, other.key, other.id, testChunk, randomBytes(len(plain1), 5))
		for _, tc := range []struct {
			name     string
			from, to int64 // chunk indexes
		}{{"same position", 1, 1}, {"other position", 2, 0}, {"final chunk", 4, 4}} {
			b := bytes.Clone(b1)
			src := b2[recfile.HeaderSize+tc.from*fs:]
			dst := b[recfile.HeaderSize+tc.to*fs:]
			copy(dst, src[:min(fs, int64(len(src)), int64(len(dst)))])
			if err := open(t, b, testKey, testID, plain1); !errors.Is(err, recfile.ErrTampered) {
				t.Errorf("%s, %s: err = %v, want ErrTampered", other.name, tc.name, err)
			}
		}
		// A whole file of another recording in place of this one.
		if err := open(t, b2, testKey, testID, plain1); !errors.Is(err, recfile.ErrTampered) {
			t.Errorf("%s, whole file: err = %v, want ErrTampered", other.name, err)
		}
	}
}

func TestTamperLengthPrefix(t *testing.T) {
	b, plain := tamperable(t, 6)
	binary.BigEndian.PutUint32(b[recfile.HeaderSize:], 0xffffffff)
	if err := open(t, b, testKey, testID, plain); !errors.Is(err, recfile.ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
}

func TestParseHeader(t *testing.T) {
	h := recfile.Header{ChunkSize: 1024, ID: testID}
	good := h.Marshal()
	if got, err := recfile.ParseHeader(good); err != nil || got != h {
		t.Fatalf("ParseHeader(Marshal) = %+v, %v", got, err)
	}
	for _, c := range []struct {
		name string
		edit func(b []byte) []byte
		want error
	}{
		{"short", func(b []byte) []byte { return b[:recfile.HeaderSize-1] }, recfile.ErrTruncated},
		{"magic", func(b []byte) []byte { b[0] = 'X'; return b }, recfile.ErrTampered},
		{"version 2", func(b []byte) []byte { b[9] = 2; return b }, recfile.ErrUnsupportedFormat},
		{"reserved", func(b []byte) []byte { b[11] = 1; return b }, recfile.ErrTampered},
		{"chunk size too small", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[12:], recfile.MinChunkSize-1)
			return b
		}, recfile.ErrTampered},
		{"chunk size too large", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[12:], recfile.MaxChunkSize+1)
			return b
		}, recfile.ErrTampered},
	} {
		if _, err := recfile.ParseHeader(c.edit(bytes.Clone(good))); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := recfile.NewWriter(&memSink{}, testKey, recfile.Header{ChunkSize: recfile.MinChunkSize - 1}, recfile.SyncAtClose); err == nil {
		t.Error("NewWriter took a chunk size below the minimum")
	}
}

func TestDurability(t *testing.T) {
	for _, c := range []struct {
		d     recfile.Durability
		syncs int
	}{{recfile.SyncEachChunk, 1 + 5 + 1}, {recfile.SyncAtClose, 1 + 1}} { // header, full chunks, final chunk
		var buf memSink
		w, _ := recfile.NewWriter(&buf, testKey, recfile.Header{ChunkSize: testChunk, ID: testID}, c.d)
		w.Write(randomBytes(5*testChunk+1, 1))
		w.Close()
		if buf.syncs != c.syncs {
			t.Errorf("durability %d: %d syncs, want %d", c.d, buf.syncs, c.syncs)
		}
	}
}

// failingSink fails the write numbered failAt (the header is write 0).
type failingSink struct {
	memSink
	writes, failAt int
}

var errDiskFull = errors.New("disk full")

func (f *failingSink) Write(p []byte) (int, error) {
	f.writes++
	if f.writes-1 == f.failAt {
		f.Buffer.Write(p[:len(p)/2]) // a torn frame
		return len(p) / 2, errDiskFull
	}
	return f.Buffer.Write(p)
}

// After a failed Write the file is cut back to FileSize, and Resume lets
// Close end it: every byte taken, the chunk that failed included, reads
// back.
func TestWriterResume(t *testing.T) {
	plain := randomBytes(5*testChunk+10, 8)
	sink := &failingSink{failAt: 3}
	w, err := recfile.NewWriter(sink, testKey, recfile.Header{ChunkSize: testChunk, ID: testID}, recfile.SyncEachChunk)
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.Write(plain)
	if !errors.Is(err, errDiskFull) || n != 2*testChunk {
		t.Fatalf("Write = %d, %v; want %d bytes and the sink's error", n, err, 2*testChunk)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, errDiskFull) || !errors.Is(w.Err(), errDiskFull) {
		t.Fatalf("Write after the failure: %v", err)
	}
	if err := w.Close(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Close before Resume: %v", err)
	}
	if w.FileSize() != recfile.HeaderSize+2*recfile.FrameSize(testChunk) {
		t.Fatalf("FileSize = %d", w.FileSize())
	}
	sink.Truncate(int(w.FileSize()))
	w.Resume()
	if err := w.Close(); err != nil {
		t.Fatalf("Close after Resume: %v", err)
	}
	if err := open(t, sink.Bytes(), testKey, testID, plain[:3*testChunk]); err != nil {
		t.Fatal(err)
	}
}

func TestWriterWipe(t *testing.T) {
	var buf memSink
	w, _ := recfile.NewWriter(&buf, testKey, recfile.Header{ChunkSize: testChunk, ID: testID}, recfile.SyncEachChunk)
	w.Write([]byte("held in the buffer"))
	w.Wipe()
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Wipe succeeded")
	}
	if err := w.Close(); err == nil {
		t.Error("Close after Wipe wrote a final chunk")
	}
	if buf.Len() != recfile.HeaderSize {
		t.Errorf("%d bytes written after Wipe", buf.Len()-recfile.HeaderSize)
	}
}
