package lame_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/testmic"
)

// These measure the recorder pipeline with the real encoder: PCM source →
// level meter and peaks → LAME → Sink. They live here rather than in
// package audio because they need LAME (cgo).
//
//	go test -run '^$' -bench . -benchtime 1x ./audio/lame
//
// prints, for BenchmarkRecordPipeline, x-realtime (audio seconds per wall
// second), cpu-s/audio-s, the same for the lame command-line encoder on the
// same file with the same settings, and our throughput as a multiple of
// lame's (x-lame by wall clock, x-lame-cpu by CPU time; the goal is at
// least 0.9), MB/h and the size relative to 16-bit WAV (x-wav); for
// BenchmarkRecordTwoHours the heap growth between minute 1 and minute 120
// and the size per hour.

const longText = "Thank you for coming today. Before we begin, I want to say again " +
	"that this session is recorded only because you agreed, and that you " +
	"can stop the recording at any moment by pressing the button on the screen."

// countingSink counts what it is given and keeps nothing.
type countingSink struct {
	bytes int64
	peaks int
}

func (s *countingSink) Write(p []byte) (int, error)     { s.bytes += int64(len(p)); return len(p), nil }
func (s *countingSink) WritePeaks(p []audio.Peak) error { s.peaks += len(p); return nil }

// cpuTime is this process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// lameCLI encodes the raw file with the lame command at the settings the
// app uses (mono, CBR 32 kbit/s, 16 kHz, -q 3, no tag, no ReplayGain
// analysis) and returns its wall and CPU time and the MP3's size.
func lameCLI(tb testing.TB, raw string) (wall, cpu time.Duration, size int64) {
	tb.Helper()
	wav := asWAV(tb, raw)
	out := filepath.Join(tb.TempDir(), "lame.mp3")
	cmd := exec.Command("lame", lameArgs(wav, out)...)
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("lame: %v: %s", err, b)
	}
	wall = time.Since(start)
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fi, err := os.Stat(out)
	if err != nil {
		tb.Fatal(err)
	}
	return wall, cpu, fi.Size()
}

// asWAV wraps raw 16 kHz PCM in a WAV header (with sox). The lame command
// is given WAV, not raw PCM: Debian's lame reads input through libsndfile
// and mpg123 and, even with -r, takes raw PCM that happens to contain an
// MPEG frame sync for an MP3 and decodes it instead.
func asWAV(tb testing.TB, raw string) string {
	tb.Helper()
	wav := filepath.Join(tb.TempDir(), "speech.wav")
	cmd := exec.Command("sox", "-t", "raw", "-r", "16000", "-e", "signed-integer", "-b", "16", "-c", "1", raw, wav)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("sox: %v: %s", err, b)
	}
	return wav
}

// lameArgs are the lame command's arguments for the app's default
// settings, reading a 16 kHz mono WAV file.
func lameArgs(in, out string) []string {
	return []string{"--quiet", "-m", "m", "--cbr", "-b", "32", "--resample", "16",
		"-q", fmt.Sprint(lame.DefaultQuality), "-t", "--noreplaygain", in, out}
}

// BenchmarkRecordPipeline records ten minutes of espeak-ng speech (the
// fixture repeated by sox) from a raw file as fast as it can be read, at
// the default settings, and times the lame command on the same file.
func BenchmarkRecordPipeline(b *testing.B) {
	if _, err := exec.LookPath("lame"); err != nil {
		b.Skip("the lame command is not installed (apt-get install lame)")
	}
	mic := testmic.New(b, longText)
	raw := audiotest.LongSpeech(b, mic.Fixture, 600)
	fi, err := os.Stat(raw)
	if err != nil {
		b.Fatal(err)
	}
	seconds := float64(fi.Size()) / 2 / 16000
	sess := audiotest.NewSession(b)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	var sink *countingSink
	cpu0, wall0 := cpuTime(), time.Now()
	for range b.N {
		f, err := os.Open(raw)
		if err != nil {
			b.Fatal(err)
		}
		sink = &countingSink{}
		// Buffered like the lame command's stdio reads.
		rec, err := audio.Start(sess.Grant(), audio.PCMMic{R: bufio.NewReaderSize(f, 64<<10)}, sink, audio.Options{NewEncoder: lame.NewFunc(lame.Options{})})
		if err != nil {
			b.Fatal(err)
		}
		if end := rec.Wait(); end.Reason != audio.EndSourceEnded {
			b.Fatal(end)
		}
		f.Close()
	}
	wall, cpu := time.Since(wall0), cpuTime()-cpu0
	b.StopTimer()
	audioSec := seconds * float64(b.N)
	ours := audioSec / wall.Seconds()
	b.ReportMetric(ours, "x-realtime")
	b.ReportMetric(cpu.Seconds()/audioSec, "cpu-s/audio-s")

	lwall, lcpu, lsize := lameCLI(b, raw)
	theirs := seconds / lwall.Seconds()
	b.ReportMetric(theirs, "lame-x-realtime")
	b.ReportMetric(lcpu.Seconds()/seconds, "lame-cpu-s/audio-s")
	// Throughput relative to the lame command: by wall clock (the recorder
	// encodes in its own goroutine, beside capture) and by CPU time.
	b.ReportMetric(ours/theirs, "x-lame")
	b.ReportMetric((audioSec/cpu.Seconds())/(seconds/lcpu.Seconds()), "x-lame-cpu")
	hours := seconds / 3600
	b.ReportMetric(float64(sink.bytes)/1e6/hours, "MB/h")
	b.ReportMetric(float64(sink.bytes)/(seconds*16000*2+44), "x-wav")
	b.Logf("%.0f s of speech: ours %d bytes, lame %d bytes", seconds, sink.bytes, lsize)
}

// heapAt records a simulated two-hour recording from a fast PCM source
// (the speech fixture looped in memory) and returns the heap in use after
// a GC at the first level shown after minute 1 and at the end, and the MP3
// size.
func heapAt(tb testing.TB) (m1, m120 uint64, size int64, took time.Duration) {
	mic := testmic.New(tb, longText)
	pcm, err := os.ReadFile(mic.Fixture)
	if err != nil {
		tb.Fatal(err)
	}
	const total = 2 * time.Hour
	src := &audiotest.Loop{B: pcm, N: int64(total/time.Second) * 16000 * 2}
	sess := audiotest.NewSession(tb)
	sink := &countingSink{}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	start := time.Now()
	var once sync.Once
	sampled := make(chan struct{})
	rec, err := audio.Start(sess.Grant(), audio.PCMMic{R: src}, sink, audio.Options{
		NewEncoder: lame.NewFunc(lame.Options{}),
		// The meter skips levels of a source this fast: the first one
		// shown from minute 1 on will do.
		OnLevel: func(l audio.Level) {
			if l.Elapsed >= time.Minute {
				once.Do(func() { m1 = heap(); close(sampled) })
			}
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	end := rec.Wait()
	<-sampled
	m120 = heap()
	if end.Reason != audio.EndSourceEnded || end.Captured != total {
		tb.Fatalf("end %v", end)
	}
	if m1 == 0 || m120 == 0 {
		tb.Fatalf("heap not sampled: %d, %d", m1, m120)
	}
	return m1, m120, sink.bytes, time.Since(start)
}

// BenchmarkRecordTwoHours reports the heap growth between minute 1 and
// minute 120 of a simulated two-hour recording (goal: under 5 MB), and
// the size per hour at the default setting.
func BenchmarkRecordTwoHours(b *testing.B) {
	for range b.N {
		m1, m120, size, took := heapAt(b)
		growth := float64(int64(m120)-int64(m1)) / 1e6
		b.ReportMetric(growth, "heap-growth-MB")
		b.ReportMetric(float64(m120)/1e6, "heap-MB")
		b.ReportMetric(float64(size)/1e6/2, "MB/h")
		b.ReportMetric(float64(size)/(2*3600*16000*2), "x-wav")
		b.ReportMetric(7200/took.Seconds(), "x-realtime")
		if growth >= 5 {
			b.Errorf("heap grew %.2f MB between minute 1 and 120", growth)
		}
	}
}

// TestHeapTwoHours asserts the memory goal in the ordinary test run
// (about 20 s on two cores); -short skips it.
func TestHeapTwoHours(t *testing.T) {
	if testing.Short() {
		t.Skip("20 s of encoding; run without -short")
	}
	m1, m120, size, took := heapAt(t)
	growth := float64(int64(m120)-int64(m1)) / 1e6
	t.Logf("heap in use: minute 1 %.2f MB, minute 120 %.2f MB (growth %.3f MB); %.1f MB for 2 h (%.2f MB/h, %.3f× WAV); %v (%.0f× real time)",
		float64(m1)/1e6, float64(m120)/1e6, growth, float64(size)/1e6, float64(size)/2e6, float64(size)/(7200*32000), took, 7200/took.Seconds())
	if growth >= 5 {
		t.Errorf("heap grew %.2f MB between minute 1 and minute 120", growth)
	}
}

var _ io.Writer = (*countingSink)(nil)
