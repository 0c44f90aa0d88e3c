package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
)

// Two opt-in diagnostics for measuring what the running app costs (make
// bench does; see bench_test.go). Neither opens a network port, neither
// writes anything of the practice: a CPU profile holds function names and
// times, the counts file holds numbers.
//
//	ASSENT_CPUPROFILE=FILE  write a CPU profile of the whole run to FILE
//	                        (go tool pprof reads it) when the app ends
//	ASSENT_COUNTS=FILE      on SIGUSR1, write the number of goroutines and
//	                        what the Go runtime holds of memory to FILE
//	                        ("goroutines N", then "go-memory-bytes N" and
//	                        "go-heap-live-bytes N"), replacing what it held
//
// Without them the app does neither; SIGUSR1 then keeps its default.

// startDiagnostics starts what getenv asks for and returns the function
// that stops it, to call as the app ends.
func startDiagnostics(getenv func(string) string, stderr io.Writer) (stop func()) {
	var stops []func()
	if path := getenv("ASSENT_CPUPROFILE"); path != "" {
		if s, err := startCPUProfile(path); err != nil {
			fmt.Fprintf(stderr, "assent: CPU profile: %v\n", err)
		} else {
			stops = append(stops, s)
		}
	}
	if path := getenv("ASSENT_COUNTS"); path != "" {
		stops = append(stops, writeCountsOnSignal(path, stderr))
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// startCPUProfile profiles the process into path until the returned stop.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// goMemory is what the Go runtime has mapped and holds (the rest of the
// process's memory is C's: the renderer, PortAudio, LAME), and the live
// heap, as lines of the counts file.
func goMemory() string {
	m := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	held := m[0].Value.Uint64() - m[1].Value.Uint64()
	return fmt.Sprintf("go-memory-bytes %d\ngo-heap-live-bytes %d\n", held, m[2].Value.Uint64())
}

// writeCountsOnSignal writes the goroutine count to path on every SIGUSR1
// until the returned stop. The file is written beside path and renamed
// over it, so a reader never sees half a line.
func writeCountsOnSignal(path string, stderr io.Writer) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range sig {
			tmp := path + ".new"
			line := fmt.Sprintf("goroutines %d\n", runtime.NumGoroutine()) + goMemory()
			err := os.WriteFile(tmp, []byte(line), 0o600)
			if err == nil {
				err = os.Rename(tmp, path)
			}
			if err != nil {
				fmt.Fprintf(stderr, "assent: counts: %v\n", err)
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(sig)
		<-done
	}
}
