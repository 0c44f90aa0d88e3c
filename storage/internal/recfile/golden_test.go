package recfile_test

import (
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// The files in testdata/golden (as hex text, so that no sealed recording
// file is tracked as such) were sealed by the code of commit efb587e,
// before the format moved to this package (storage's sealWriter), with
// goldenKey as the stream key. Recordings on therapists' disks are sealed
// that way: the reader must go on opening them, and the writer must go on
// writing the same bytes.
var (
	goldenKey = func() []byte {
		k := make([]byte, 32)
		for i := range k {
			k[i] = byte(0xa0 + i)
		}
		return k
	}()
	goldenID = [16]byte{0xa5, 0xe5, 0x7c, 0x0d, 0xe0, 15: 0x1d} // a5e57c0de0000000000000000000001d
)

// goldenPlain is the plaintext of a golden file of n bytes.
func goldenPlain(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestGoldenFiles(t *testing.T) {
	for _, c := range []struct {
		name         string
		chunkSize, n int
	}{
		{"c64-n300", 64, 300},       // four full chunks and a final one of 44 bytes
		{"c64-n128", 64, 128},       // two full chunks and an empty final one
		{"c64-n0", 64, 0},           // the smallest file: a header and an empty final chunk
		{"c1024-n5000", 1024, 5000}, // the default chunk size
	} {
		t.Run(c.name, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata", "golden", c.name+".rec.hex"))
			if err != nil {
				t.Fatal(err)
			}
			file, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
			if err != nil {
				t.Fatal(err)
			}
			want := goldenPlain(c.n)
			r, err := recfile.NewReader(bytes.NewReader(file), int64(len(file)), goldenKey, goldenID)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			equalBytes(t, got, want)
			if again := seal(t, goldenKey, goldenID, c.chunkSize, want); !bytes.Equal(again, file) {
				t.Errorf("sealing the same plaintext gives other bytes (equal prefix %d of %d): the format changed", commonPrefix(again, file), len(file))
			}
		})
	}
}
