package recfile_test

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// discardSink is a Sink that keeps nothing.
type discardSink struct{}

func (discardSink) Write(p []byte) (int, error) { return len(p), nil }
func (discardSink) Sync() error                 { return nil }

// BenchmarkSealing measures the Writer against the bare AEAD on the same
// bytes, in the same iterations, and reports both rates and their ratio
// (what the framing, copying and buffering cost). The "fsync" variant
// writes to a real file with SyncEachChunk, as a recording does, and
// reports how many times faster than real time (32 kbit/s) that is.
func BenchmarkSealing(b *testing.B) {
	const chunk = 1024 // storage.DefaultChunkSize
	data := randomBytes(1<<20, 1)
	key := make([]byte, 32)
	rand.Read(key)
	aead, _ := chacha20poly1305.New(key)
	nonce := make([]byte, aead.NonceSize())
	ad := make([]byte, recfile.HeaderSize)
	out := make([]byte, 0, chunk+recfile.Overhead)
	h := recfile.Header{ChunkSize: chunk}

	b.Run("memory", func(b *testing.B) {
		var raw, sealed time.Duration
		for b.Loop() {
			t0 := time.Now()
			for off := 0; off < len(data); off += chunk {
				nonce[10]++
				out = aead.Seal(out[:0], nonce, data[off:off+chunk], ad)
			}
			t1 := time.Now()
			w, err := recfile.NewWriter(discardSink{}, key, h, recfile.SyncEachChunk)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := w.Write(data); err != nil {
				b.Fatal(err)
			}
			w.Close()
			raw += t1.Sub(t0)
			sealed += time.Since(t1)
		}
		mb := float64(len(data)) * float64(b.N) / 1e6
		b.ReportMetric(mb/raw.Seconds(), "raw-aead-MB/s")
		b.ReportMetric(mb/sealed.Seconds(), "sealing-MB/s")
		b.ReportMetric(sealed.Seconds()/raw.Seconds(), "sealing/raw")
		b.ReportMetric(0, "ns/op") // the per-path rates above are the figures
	})

	b.Run("fsync", func(b *testing.B) {
		small := data[:64*chunk]
		dir := b.TempDir()
		var d time.Duration
		for i := 0; b.Loop(); i++ {
			f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			w, err := recfile.NewWriter(f, key, h, recfile.SyncEachChunk)
			if err != nil {
				b.Fatal(err)
			}
			w.Write(small)
			w.Close()
			d += time.Since(t0)
			f.Close()
		}
		bps := float64(len(small)) * float64(b.N) / d.Seconds()
		b.ReportMetric(bps/1e6, "MB/s")
		b.ReportMetric(bps/(32000/8), "x-realtime-32kbps")
		b.ReportMetric(float64(len(small)/chunk)*float64(b.N)/d.Seconds(), "chunks/s")
	})
}

var _ recfile.Sink = discardSink{}
