package recfile_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// FuzzRecordingReader feeds arbitrary bytes to the reader as if they were a
// file: it must never panic, never allocate according to a hostile header,
// and whatever it returns without error must be what was sealed (checked by
// re-sealing it, and by reading twice, through two paths). Scan, the
// decoder crash recovery uses, gets the same bytes: it must never panic,
// must agree with the reader on a file the reader accepts, and what it
// salvages must seal into a file that reads back whole. The seed corpus in
// testdata/fuzz holds real files and damaged ones.
func FuzzRecordingReader(f *testing.F) {
	for _, n := range []int{0, 1, 63, 64, 65, 200} {
		f.Add(seal(f, testKey, testID, 64, randomBytes(n, uint64(n))))
	}
	f.Add([]byte("ASSENTRC"))
	f.Fuzz(func(t *testing.T, data []byte) {
		all, readErr := readFuzzed(t, data)
		salvaged, scan := salvageFuzzed(t, data)
		if readErr != nil {
			return
		}
		// Authentic bytes re-seal to the same file: the AEAD would not have
		// let anything else through.
		h, _ := recfile.ParseHeader(data)
		if again := seal(t, testKey, testID, h.ChunkSize, all); !bytes.Equal(again, data) {
			t.Fatalf("reader accepted %d bytes that are not a sealing of what it returned", len(data))
		}
		// Scan sees the whole of a file the reader accepts.
		if !scan.Final || !bytes.Equal(salvaged, all) {
			t.Fatalf("Scan of a whole file: %d chunks, final %v, %d of %d bytes salvaged", scan.Chunks, scan.Final, len(salvaged), len(all))
		}
	})
}

// readFuzzed opens data with the reader and reads it all; it fails the test
// on any error of the wrong kind, and checks random access against the
// sequential read.
func readFuzzed(t *testing.T, data []byte) ([]byte, error) {
	r, err := recfile.NewReader(bytes.NewReader(data), int64(len(data)), testKey, testID)
	if err != nil {
		if !isFormatErr(err) {
			t.Fatalf("open: unexpected error kind: %v", err)
		}
		return nil, err
	}
	all, err := io.ReadAll(r)
	if err != nil {
		if !isFormatErr(err) {
			t.Fatalf("read: unexpected error kind: %v", err)
		}
		return nil, err
	}
	if int64(len(all)) != r.Size() {
		t.Fatalf("read %d bytes, Size says %d", len(all), r.Size())
	}
	for _, off := range []int64{0, int64(len(all)) / 2, int64(len(all)) - 1, int64(len(all))} {
		if off < 0 {
			continue
		}
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		rest, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(rest, all[off:]) {
			t.Fatalf("read from %d: %v", off, err)
		}
	}
	return all, nil
}

// salvageFuzzed scans data, seals what it salvages into a new file and
// reads that back; nil if Scan refused the header.
func salvageFuzzed(t *testing.T, data []byte) ([]byte, *recfile.Salvage) {
	sv, err := recfile.Scan(bytes.NewReader(data), int64(len(data)), testKey, testID)
	if err != nil {
		if !isFormatErr(err) {
			t.Fatalf("scan: unexpected error kind: %v", err)
		}
		return nil, &recfile.Salvage{}
	}
	var buf memSink
	w, err := recfile.NewWriter(&buf, testKey, sv.Header, recfile.SyncAtClose)
	if err != nil {
		t.Fatal(err)
	}
	n, err := sv.CopyTo(w)
	if err != nil {
		t.Fatalf("CopyTo after Scan: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := recfile.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), testKey, testID)
	if err != nil {
		t.Fatalf("the salvaged file does not open: %v", err)
	}
	got, err := io.ReadAll(r)
	if err != nil || int64(len(got)) != n {
		t.Fatalf("the salvaged file reads %d bytes, %v; %d were copied", len(got), err, n)
	}
	return got, sv
}

// TestWriteFuzzCorpus regenerates testdata/fuzz/FuzzRecordingReader when
// ASSENT_WRITE_CORPUS=1: real files at edge sizes and damaged variants of
// them, so the fuzzer starts from inputs that reach every check.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("ASSENT_WRITE_CORPUS") != "1" {
		t.Skip("set ASSENT_WRITE_CORPUS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzRecordingReader")
	os.MkdirAll(dir, 0o755)
	write := func(name string, b []byte) {
		s := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{0, 1, 63, 64, 65, 128, 300} {
		good := seal(t, testKey, testID, 64, randomBytes(n, uint64(n)))
		write(fmt.Sprintf("valid-%d", n), good)
		if len(good) > recfile.HeaderSize+4 {
			write(fmt.Sprintf("cut-%d", n), good[:len(good)-3])
			flipped := bytes.Clone(good)
			flipped[len(flipped)/2] ^= 1
			write(fmt.Sprintf("flipped-%d", n), flipped)
		}
	}
	big := seal(t, testKey, testID, 64, randomBytes(300, 9))
	fs := recfile.FrameSize(64)
	write("final-dropped", big[:recfile.HeaderSize+4*fs])
	swapped := bytes.Clone(big)
	copy(swapped[recfile.HeaderSize:], big[recfile.HeaderSize+fs:recfile.HeaderSize+2*fs])
	copy(swapped[recfile.HeaderSize+fs:], big[recfile.HeaderSize:recfile.HeaderSize+fs])
	write("swapped", swapped)
	hostile := bytes.Clone(big[:recfile.HeaderSize+40])
	hostile[12], hostile[13], hostile[14], hostile[15] = 0xff, 0xff, 0xff, 0xff // chunk size 4 GiB
	write("huge-chunk-size", hostile)
	write("header-only", big[:recfile.HeaderSize])
	write("empty", nil)
}
