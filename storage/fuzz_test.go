package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

var (
	fuzzKey = bytes.Repeat([]byte{0x42}, 32)
	fuzzID  = "00112233445566778899aabbccddeeff"
)

// FuzzRecordingReader feeds arbitrary bytes to the recording reader as if
// they were a file: it must never panic, never allocate according to a
// hostile header, and whatever it returns without error must be what was
// sealed (checked by reading twice, through two paths, and comparing).
// The seed corpus in testdata/fuzz holds real files and damaged ones.
func FuzzRecordingReader(f *testing.F) {
	for _, n := range []int{0, 1, 63, 64, 65, 200} {
		f.Add(storage.SealForTest(fuzzKey, fuzzID, 64, randomBytes(n, uint64(n))))
	}
	f.Add([]byte("ASSENTRC"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := storage.ReaderForTest(data, fuzzKey, fuzzID)
		if err != nil {
			if !errors.Is(err, storage.ErrTampered) && !errors.Is(err, storage.ErrTruncated) && !errors.Is(err, storage.ErrUnsupportedFormat) {
				t.Fatalf("open: unexpected error kind: %v", err)
			}
			return
		}
		all, err := io.ReadAll(r)
		if err != nil {
			if !errors.Is(err, storage.ErrTampered) && !errors.Is(err, storage.ErrTruncated) {
				t.Fatalf("read: unexpected error kind: %v", err)
			}
			return
		}
		// Authentic bytes re-seal to the same file: the AEAD would not have
		// let anything else through.
		if again := storage.SealForTest(fuzzKey, fuzzID, chunkSizeOf(data), all); !bytes.Equal(again, data) {
			t.Fatalf("reader accepted %d bytes that are not a sealing of what it returned", len(data))
		}
		// Random access agrees with the sequential read.
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
	})
}

func chunkSizeOf(file []byte) int {
	return int(file[12])<<24 | int(file[13])<<16 | int(file[14])<<8 | int(file[15])
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
		good := storage.SealForTest(fuzzKey, fuzzID, 64, randomBytes(n, uint64(n)))
		write(fmt.Sprintf("valid-%d", n), good)
		if len(good) > storage.HeaderSize+4 {
			write(fmt.Sprintf("cut-%d", n), good[:len(good)-3])
			flipped := bytes.Clone(good)
			flipped[len(flipped)/2] ^= 1
			write(fmt.Sprintf("flipped-%d", n), flipped)
		}
	}
	big := storage.SealForTest(fuzzKey, fuzzID, 64, randomBytes(300, 9))
	fs := storage.FrameSize(64)
	write("final-dropped", big[:storage.HeaderSize+4*fs])
	swapped := bytes.Clone(big)
	copy(swapped[storage.HeaderSize:], big[storage.HeaderSize+fs:storage.HeaderSize+2*fs])
	copy(swapped[storage.HeaderSize+fs:], big[storage.HeaderSize:storage.HeaderSize+fs])
	write("swapped", swapped)
	hostile := bytes.Clone(big[:storage.HeaderSize+40])
	hostile[12], hostile[13], hostile[14], hostile[15] = 0xff, 0xff, 0xff, 0xff // chunk size 4 GiB
	write("huge-chunk-size", hostile)
	write("header-only", big[:storage.HeaderSize])
	write("empty", nil)
}
