package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio/testmic"
)

// What BenchmarkQuiet measures over, and how often it locks and unlocks.
const (
	quietRecording = 60 * time.Second // paced recording with the client screen up
	quietIdle      = 10 * time.Second // each idle screen (0.1 % resolution)
	quietSettle    = 2 * time.Second  // after a screen appears, before measuring
	quietCycles    = 20               // lock/unlock cycles
	// floorHz is how often the floor window redraws: as often as the
	// level meter moves while recording (app's meterEvery, 100 ms).
	floorHz = 10
)

// userHZ is the unit of utime and stime in /proc/PID/stat: USER_HZ, 100 on
// every Linux that Assent runs on.
const userHZ = 100

// BenchmarkQuiet measures what the running app costs the laptop, from
// outside, on the real binary under Xvfb (software rendering, so the
// renderer's threads count), as `make bench` runs it:
//
//   - recording: CPU (% of one core, and CPU-seconds per recorded minute)
//     over quietRecording of recording from the paced test microphone with
//     the client screen showing, the renderer's threads' share, and the
//     same for the `lame` command encoding the same paced input at the
//     same bitrate (the floor), with the ratio of the two;
//   - idle CPU on the consent screen (the client asked, nobody answered);
//   - on the lock screen after 1 and after quietCycles lock/unlock cycles:
//     idle CPU, RSS, goroutines (the binary writes its count on SIGUSR1,
//     see diag.go) and threads, and the ratio of each;
//   - peak RSS (VmHWM) over the whole run, which includes each unlock's
//     passphrase derivation (Argon2id, 192 MiB for under a second), and
//     over the session after the last unlock (the peak is reset then,
//     through /proc/PID/clear_refs);
//   - what the Go runtime holds of that memory, on the lock screen;
//   - the floor of all these: an empty full-screen Fyne window
//     (internal/fynefloor) on the same display in the same run, idle and
//     redrawn floorHz times a second, its CPU and RSS, with the ratio of
//     the app's figures to it.
//
// CPU is utime+stime from /proc/PID/stat over the interval. It runs when
// ASSENT_BIN names the binary (make bench builds it) and Xvfb is there.
func BenchmarkQuiet(b *testing.B) {
	bin := os.Getenv("ASSENT_BIN")
	if bin == "" {
		b.Skip("BenchmarkQuiet runs with ASSENT_BIN naming the binary (make bench)")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "lame"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is missing: run `make test-deps`", tool)
		}
	}
	for range b.N {
		q := measureQuiet(b, bin)
		q.report(b)
	}
}

// quietFigures are one run's measurements.
type quietFigures struct {
	rec, recRenderer float64 // % of one core while recording
	recPerMin        float64 // CPU-s per recorded minute
	lamePerMin       float64 // the same for lame
	consentIdle      float64 // % of one core
	lock             [2]idleFigures
	peakRSS          float64 // MB, the whole run
	peakSession      float64 // MB, after the last unlock
	floor            floorFigures
}

// floorFigures are an empty Fyne window's (internal/fynefloor).
type floorFigures struct {
	idle, redrawn float64 // % of one core, still and redrawn floorHz times a second
	rss           float64 // MB, still
}

// idleFigures are the lock screen's, after some lock/unlock cycles.
type idleFigures struct {
	cpu        float64 // % of one core
	rss        float64 // MB
	goMemory   float64 // MB the Go runtime holds
	goroutines int
	threads    int
}

func (q quietFigures) report(b *testing.B) {
	b.ReportMetric(q.rec, "rec-cpu-%")
	b.ReportMetric(q.recRenderer, "rec-renderer-cpu-%")
	b.ReportMetric(q.recPerMin, "rec-cpu-s/min")
	b.ReportMetric(q.lamePerMin, "lame-cpu-s/min")
	b.ReportMetric(q.recPerMin/q.lamePerMin, "rec/lame-x")
	b.ReportMetric(q.consentIdle, "consent-idle-cpu-%")
	b.ReportMetric(q.peakRSS, "peak-rss-MB")
	b.ReportMetric(q.peakSession, "peak-after-unlock-rss-MB")
	f := q.floor
	b.ReportMetric(f.idle, "floor-idle-cpu-%")
	b.ReportMetric(f.redrawn, "floor-"+strconv.Itoa(floorHz)+"hz-cpu-%")
	b.ReportMetric(f.rss, "floor-rss-MB")
	b.ReportMetric(ratio(q.rec, f.redrawn), "rec/floor-"+strconv.Itoa(floorHz)+"hz-x")
	b.ReportMetric(ratio(q.consentIdle, f.idle), "consent-idle/floor-idle-x")
	one, many := q.lock[0], q.lock[1]
	n := strconv.Itoa(quietCycles)
	b.ReportMetric(one.cpu, "lock1-idle-cpu-%")
	b.ReportMetric(many.cpu, "lock"+n+"-idle-cpu-%")
	b.ReportMetric(ratio(many.cpu, one.cpu), "lock"+n+"/lock1-cpu-x")
	b.ReportMetric(one.rss, "lock1-rss-MB")
	b.ReportMetric(many.rss, "lock"+n+"-rss-MB")
	b.ReportMetric(ratio(many.rss, one.rss), "lock"+n+"/lock1-rss-x")
	b.ReportMetric(ratio(one.rss, f.rss), "lock1-rss/floor-rss-x")
	b.ReportMetric(one.goMemory, "lock1-go-MB")
	b.ReportMetric(many.goMemory, "lock"+n+"-go-MB")
	b.ReportMetric(ratio(many.goMemory, one.goMemory), "lock"+n+"/lock1-go-x")
	b.ReportMetric(float64(one.goroutines), "lock1-goroutines")
	b.ReportMetric(float64(many.goroutines), "lock"+n+"-goroutines")
	b.ReportMetric(ratio(float64(many.goroutines), float64(one.goroutines)), "lock"+n+"/lock1-goroutines-x")
	b.ReportMetric(float64(one.threads), "lock1-threads")
	b.ReportMetric(float64(many.threads), "lock"+n+"-threads")
	b.ReportMetric(ratio(float64(many.threads), float64(one.threads)), "lock"+n+"/lock1-threads-x")
}

// ratio is a/b. Only an idle CPU figure can be 0 (not one tick of /proc
// over quietIdle): 0 against 0 is 1, and a 0 below is taken as the least
// /proc tells apart over quietIdle, one tick, so that one tick against
// none is 1, not infinite.
func ratio(a, b float64) float64 {
	const oneTick = 100.0 / userHZ / (float64(quietIdle) / float64(time.Second)) // % of a core
	if b == 0 {
		if a == 0 {
			return 1
		}
		b = oneTick
	}
	return a / b
}

// mb is kB (as /proc gives it: units of 1024 bytes) in MB (10⁶ bytes).
func mb(kB int) float64 { return float64(kB) * 1024 / 1e6 }

func measureQuiet(b *testing.B, bin string) quietFigures {
	const passphrase = "correct horse battery staple"
	data := lockedPractice(b, passphrase)
	counts := filepath.Join(b.TempDir(), "counts")
	b.Setenv("ASSENT_COUNTS", counts)
	mic := testmic.NewPaced(b, quietSpeech)
	x := startXvfb(b, b.TempDir())
	x.appLimit = 10 * time.Minute
	var q quietFigures
	q.floor = measureFloor(b, x)
	a := x.startApp(b, bin, data, mic)
	pid := a.cmd.Process.Pid

	// The floor, beside lock/unlock cycles 2 to 19 (where nothing is
	// measured): lame encoding the same paced speech for as long.
	floor := testmic.NewPaced(b, quietSpeech)
	lameOut := filepath.Join(b.TempDir(), "floor.mp3")
	type lameResult struct {
		perMin float64
		err    error
	}
	lame := make(chan lameResult, 1)

	// Lock/unlock cycles: unlock, then Ctrl+L.
	x.step(b, "lock/unlock cycles")
	for cycle := 1; cycle <= quietCycles; cycle++ {
		x.unlock(b, a, passphrase)
		mark := a.mark()
		x.key(b, a.window, "ctrl+l")
		a.waitScreen(b, mark, "unlock")
		switch cycle {
		case 1:
			q.lock[0] = idleOn(b, a, counts)
			go func() {
				perMin, err := lamePerMinute(floor, lameOut)
				lame <- lameResult{perMin, err}
			}()
		case quietCycles:
			r := <-lame // nothing else runs while measuring
			if r.err != nil {
				b.Fatal(r.err)
			}
			q.lamePerMin = r.perMin
			q.lock[1] = idleOn(b, a, counts)
		}
	}

	// A session: the client screen asks; nobody has answered yet.
	x.step(b, "the consent screen")
	x.unlock(b, a, passphrase)
	// The last unlock: from here, the session's own peak.
	peakBefore := mb(procStatus(b, pid, "VmHWM"))
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak RSS: %v", err)
	}
	x.askConsent(b, a, data, "A.B.", 1)
	time.Sleep(quietSettle)
	q.consentIdle = cpuPercent(b, pid, quietIdle, nil)

	// The client's yes, and a minute of recording with their screen up.
	x.step(b, "recording")
	x.key(b, a.window, "Tab")
	x.key(b, a.window, "space")
	if !mic.Feeder.WaitReading(20 * time.Second) {
		b.Fatal("recording, but nothing reads the microphone")
	}
	time.Sleep(quietSettle)
	var renderer float64
	from := mic.Feeder.Delivered()
	q.rec = cpuPercent(b, pid, quietRecording, &renderer)
	recorded := mic.Feeder.Delivered() - from
	q.recRenderer = renderer
	q.recPerMin = q.rec / 100 * quietRecording.Seconds() / recorded.Minutes()
	x.key(b, a.window, "Return") // Stop recording
	waitFor(b, 10*time.Second, "the recording to be sealed", func() bool {
		n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'complete' AND bytes > 0")
		return n == 1
	})
	q.peakSession = mb(procStatus(b, pid, "VmHWM"))
	q.peakRSS = max(q.peakSession, peakBefore)
	b.Logf("recorded %v of paced audio in %v", recorded.Round(time.Millisecond), quietRecording)
	// The client screen is up: SIGTERM ends the app as a logout would.
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	select {
	case <-a.done:
	case <-time.After(20 * time.Second):
		b.Fatal("the app did not end within 20 s of SIGTERM")
	}
	return q
}

// idleOn measures the app on the screen it shows now, after it settles.
func idleOn(b *testing.B, a *runningApp, counts string) idleFigures {
	b.Helper()
	pid := a.cmd.Process.Pid
	time.Sleep(quietSettle)
	f := idleFigures{cpu: cpuPercent(b, pid, quietIdle, nil)}
	f.rss = mb(procStatus(b, pid, "VmRSS"))
	f.threads = procStatus(b, pid, "Threads")
	var goMem int64
	f.goroutines = goroutines(b, pid, counts, &goMem)
	f.goMemory = float64(goMem) / 1e6
	return f
}

// measureFloor builds internal/fynefloor and measures it on x's display,
// still and then redrawn floorHz times a second, before the app starts.
func measureFloor(b *testing.B, x *xvfb) floorFigures {
	b.Helper()
	x.step(b, "the floor: an empty Fyne window")
	bin := filepath.Join(b.TempDir(), "fynefloor")
	if out, err := exec.Command("go", "build", "-tags", "migrated_fynedo,no_emoji", "-o", bin, "../../internal/fynefloor").CombinedOutput(); err != nil {
		b.Fatalf("building internal/fynefloor: %v\n%s", err, out)
	}
	run := func(hz int) (cpu, rss float64) {
		cmd := exec.Command(bin, "-hz", strconv.Itoa(hz))
		cmd.Env = append(os.Environ(), "DISPLAY="+x.display, "LANG=en_US.UTF-8")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		waitFor(b, 60*time.Second, "the floor window", func() bool {
			_, err := x.output("search", "--all", "--onlyvisible", "--pid", strconv.Itoa(cmd.Process.Pid), "--name", "^Fyne floor$")
			return err == nil
		})
		time.Sleep(quietSettle)
		pid := cmd.Process.Pid
		cpu = cpuPercent(b, pid, quietIdle, nil)
		return cpu, mb(procStatus(b, pid, "VmRSS"))
	}
	var f floorFigures
	f.idle, f.rss = run(0)
	f.redrawn, _ = run(floorHz)
	return f
}

// cpuPercent is the CPU the process pid uses over d, in % of one core;
// with renderer, also the share of the renderer's threads (Mesa's
// llvmpipe), in % of one core.
func cpuPercent(b *testing.B, pid int, d time.Duration, renderer *float64) float64 {
	b.Helper()
	all0, ren0 := cpuTicks(b, pid)
	start := time.Now()
	time.Sleep(d)
	all1, ren1 := cpuTicks(b, pid)
	wall := time.Since(start).Seconds()
	if renderer != nil {
		*renderer = float64(ren1-ren0) / userHZ / wall * 100
	}
	return float64(all1-all0) / userHZ / wall * 100
}

// cpuTicks is utime+stime of the process pid, and of its renderer threads,
// in clock ticks. (A renderer thread that ended meanwhile drops out of the
// second figure; llvmpipe's threads live as long as the window.)
func cpuTicks(b *testing.B, pid int) (all, renderer int64) {
	b.Helper()
	_, all = statTicks(b, fmt.Sprintf("/proc/%d/stat", pid))
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	for _, t := range tasks {
		if comm, n := statTicks(b, t); strings.HasPrefix(comm, "llvmpipe") {
			renderer += n
		}
	}
	return all, renderer
}

// statTicks reads a /proc stat file: the command name and utime+stime.
func statTicks(b *testing.B, path string) (comm string, ticks int64) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if strings.Contains(path, "/task/") {
			return "", 0 // a thread that has just ended
		}
		b.Fatalf("reading %s: %v", path, err)
	}
	s := string(raw)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	comm = s[open+1 : end]
	// After ") ": state is field 3; utime and stime are fields 14 and 15.
	f := strings.Fields(s[end+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return comm, u + st
}

// procStatus is a number from /proc/PID/status: kB for VmRSS and VmHWM,
// a count for Threads.
func procStatus(b *testing.B, pid int, key string) int {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	b.Fatalf("no %s in /proc/%d/status", key, pid)
	return 0
}

// goroutines asks the app (SIGUSR1) for its number of goroutines, which it
// writes to counts (ASSENT_COUNTS, see diag.go), with the bytes the Go
// runtime holds, which go to goMemory.
func goroutines(b *testing.B, pid int, counts string, goMemory *int64) int {
	b.Helper()
	os.Remove(counts)
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		b.Fatal(err)
	}
	var n int
	waitFor(b, 5*time.Second, "the goroutine count", func() bool {
		raw, err := os.ReadFile(counts)
		if err != nil {
			return false
		}
		_, err = fmt.Sscanf(string(raw), "goroutines %d\ngo-memory-bytes %d", &n, goMemory)
		return err == nil
	})
	return n
}

// quietSpeech is what the paced microphones say, over and over.
const quietSpeech = "Today we talked about sleep, and about the week ahead, and what helps."

// lamePerMinute runs the lame command on quietRecording of mic's speech (a
// FIFO fed at real time, as the app's device reads it), at the app's
// default bitrate, writing out, and returns its CPU-seconds per minute of
// audio. It may run on any goroutine.
func lamePerMinute(mic *testmic.Mic, out string) (float64, error) {
	cmd := exec.Command("lame", "--quiet", "-r", "-s", "16", "--bitwidth", "16", "--signed", "--little-endian",
		"-m", "m", "-b", "32", "-", out)
	// Opening the FIFO for reading waits for the Feeder, which then feeds
	// it at real time; its Stop closes it, and lame ends at the EOF.
	in, err := os.Open(mic.Infile)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	cmd.Stdin = in
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	time.Sleep(quietRecording)
	mic.Feeder.Stop()
	if err := cmd.Wait(); err != nil {
		return 0, fmt.Errorf("lame: %w", err)
	}
	audio := mic.Feeder.Delivered()
	if audio < quietRecording/2 {
		return 0, fmt.Errorf("lame read only %v of audio in %v", audio, quietRecording)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return cpu.Seconds() / audio.Minutes(), nil
}
