package recfile_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// A file sealed in chunks, read back, and salvaged after a "crash" that
// cut off its final chunk.
func Example() {
	key := bytes.Repeat([]byte{1}, 32) // one key per file
	h := recfile.Header{ChunkSize: recfile.MinChunkSize, ID: [16]byte{0xab}}
	mp3 := bytes.Repeat([]byte("frame "), 30) // 180 bytes: two full chunks and 52 more

	var file memSink
	w, _ := recfile.NewWriter(&file, key, h, recfile.SyncEachChunk)
	w.Write(mp3)
	w.Close()

	r, _ := recfile.NewReader(bytes.NewReader(file.Bytes()), int64(file.Len()), key, h.ID)
	got, _ := io.ReadAll(r)
	fmt.Println("read back:", bytes.Equal(got, mp3), r.Size(), "bytes")

	cut := file.Bytes()[:file.Len()-5]
	_, err := recfile.NewReader(bytes.NewReader(cut), int64(len(cut)), key, h.ID)
	fmt.Println("cut short:", err)

	sv, _ := recfile.Scan(bytes.NewReader(cut), int64(len(cut)), key, h.ID)
	fmt.Println("salvageable:", sv.Chunks, "whole chunks, final:", sv.Final)

	// Output:
	// read back: true 180 bytes
	// cut short: chunk 2 cut short: recfile: file ends before its final chunk
	// salvageable: 2 whole chunks, final: false
}
