package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestCountsOnSignal sends this process SIGUSR1 with ASSENT_COUNTS set, as
// BenchmarkQuiet does to the app, and reads back the goroutine count and
// the Go runtime's memory: a count near runtime.NumGoroutine's, and a
// memory figure at least as large as a live buffer this test holds.
func TestCountsOnSignal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counts")
	stop := startDiagnostics(func(k string) string {
		if k == "ASSENT_COUNTS" {
			return path
		}
		return ""
	}, io.Discard)
	defer stop()
	held := make([]byte, 32<<20)
	for i := range held {
		held[i] = byte(i)
	}
	runtime.GC() // the live heap is counted at a collection
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for deadline := time.Now().Add(5 * time.Second); ; {
		var err error
		if raw, err = os.ReadFile(path); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var n int
	var mem, live int64
	if _, err := fmt.Sscanf(string(raw), "goroutines %d\ngo-memory-bytes %d\ngo-heap-live-bytes %d\n", &n, &mem, &live); err != nil {
		t.Fatalf("counts file %q: %v", raw, err)
	}
	if now := runtime.NumGoroutine(); n < 2 || n > now+5 {
		t.Errorf("goroutines %d, runtime.NumGoroutine says %d", n, now)
	}
	if mem < int64(len(held)) || live < int64(len(held)) || live > mem {
		t.Errorf("go memory %d bytes, live heap %d, holding a buffer of %d", mem, live, len(held))
	}
	runtime.KeepAlive(held)
}
