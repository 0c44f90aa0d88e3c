package recfile_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// salvage scans file and seals what it keeps into a new file under key2.
func salvage(t *testing.T, file, key2 []byte) (*recfile.Salvage, []byte) {
	t.Helper()
	sv, err := recfile.Scan(bytes.NewReader(file), int64(len(file)), testKey, testID)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	var buf memSink
	w, err := recfile.NewWriter(&buf, key2, sv.Header, recfile.SyncAtClose)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sv.CopyTo(w); err != nil {
		t.Fatalf("CopyTo: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return sv, buf.Bytes()
}

// A crash may cut a file anywhere: Scan keeps every whole chunk before the
// cut, and the salvaged file ends with the last of them as its final chunk
// (no empty chunk after it).
func TestScanAtEveryCut(t *testing.T) {
	const chunks = 4
	plain := randomBytes(chunks*testChunk+testChunk/3, 11)
	var buf memSink
	w, _ := recfile.NewWriter(&buf, testKey, recfile.Header{ChunkSize: testChunk, ID: testID}, recfile.SyncEachChunk)
	w.Write(plain) // never closed: the crash
	crashed := buf.Bytes()
	fs := recfile.FrameSize(testChunk)
	key2 := bytes.Repeat([]byte{7}, 32)
	for cut := int64(recfile.HeaderSize); cut <= int64(len(crashed)); cut++ {
		sv, file := salvage(t, crashed[:cut], key2)
		kept := (cut - recfile.HeaderSize) / fs
		if sv.Chunks != kept || sv.Final {
			t.Fatalf("cut %d: Scan = %d chunks, final %v; want %d, not final", cut, sv.Chunks, sv.Final, kept)
		}
		if kept == 0 {
			continue
		}
		if want := recfile.HeaderSize + kept*fs; int64(len(file)) != want {
			t.Fatalf("cut %d: salvaged file of %d bytes, want %d (the last chunk final)", cut, len(file), want)
		}
		if err := open(t, file, key2, testID, plain[:kept*testChunk]); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
	}
}

// A file whose final chunk reached the disk is salvaged whole.
func TestScanCompleteFile(t *testing.T) {
	for _, n := range []int{0, testChunk, 3*testChunk + 5} {
		plain := randomBytes(n, 12)
		sv, file := salvage(t, seal(t, testKey, testID, testChunk, plain), testKey)
		if !sv.Final || sv.Chunks != int64(n/testChunk+1) {
			t.Errorf("%d bytes: Scan = %d chunks, final %v", n, sv.Chunks, sv.Final)
		}
		if err := open(t, file, testKey, testID, plain); err != nil {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}

// Scan stops at the first chunk that fails, and refuses a header that is
// not this recording's.
func TestScanStopsAtDamage(t *testing.T) {
	plain := randomBytes(5*testChunk, 13)
	file := seal(t, testKey, testID, testChunk, plain)
	fs := recfile.FrameSize(testChunk)
	file[recfile.HeaderSize+2*fs+10] ^= 1
	sv, salvaged := salvage(t, file, testKey)
	if sv.Chunks != 2 || sv.Final {
		t.Errorf("Scan = %d chunks, final %v; want 2, not final", sv.Chunks, sv.Final)
	}
	if err := open(t, salvaged, testKey, testID, plain[:2*testChunk]); err != nil {
		t.Error(err)
	}
	other := testID
	other[0]++
	if _, err := recfile.Scan(bytes.NewReader(file), int64(len(file)), testKey, other); !errors.Is(err, recfile.ErrTampered) {
		t.Errorf("Scan for another recording: %v, want ErrTampered", err)
	}
	if _, err := recfile.Scan(bytes.NewReader(file[:10]), 10, testKey, testID); !errors.Is(err, recfile.ErrTruncated) {
		t.Errorf("Scan of a torn header: %v, want ErrTruncated", err)
	}
}

// A chunk that changes between Scan and CopyTo is not copied.
func TestCopyToRechecks(t *testing.T) {
	file := seal(t, testKey, testID, testChunk, randomBytes(3*testChunk, 14))
	sv, err := recfile.Scan(bytes.NewReader(file), int64(len(file)), testKey, testID)
	if err != nil {
		t.Fatal(err)
	}
	file[recfile.HeaderSize+recfile.FrameSize(testChunk)+8] ^= 1
	w, _ := recfile.NewWriter(&memSink{}, testKey, sv.Header, recfile.SyncAtClose)
	if _, err := sv.CopyTo(w); !errors.Is(err, recfile.ErrTampered) {
		t.Errorf("CopyTo of a chunk changed since Scan: %v, want ErrTampered", err)
	}
}
