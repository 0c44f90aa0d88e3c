package proof_test

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// The crash trials record in a child process (this test binary run again
// with -test.run=TestCrashChild) and kill it with SIGKILL, which no code of
// Assent can catch: what is on disk at that instant is all the next start
// gets. The child does what the app does for one recorded session (unlock,
// consent, NewRecording, audio.Start with LAME into storage's sealing
// writer); the parent then opens the folder as the next start would and
// checks DESIGN.md rule 8: "A crash or power cut loses at most about one
// second of audio; a withdrawal with 'delete' leaves nothing readable
// behind". The issue (#9) sets the figure the trials hold it to: at most
// 1.5 s of the audio captured before the kill may be missing.
//
// The microphone is a PCMMic over the espeak-ng fixture, paced at real time
// (see pacedReader: the ALSA test microphone is not paced, so a recording
// of it is not "the audio before the kill").
//
// ASSENT_CRASH_TRIALS sets the number of trials of each kind (default 3,
// so that `make test` stays fast):
//
//	ASSENT_CRASH_TRIALS=50 go test -timeout 30m -run 'TestCrash' -v ./proof/

// maxLoss is the most audio captured before a crash that may be missing
// afterwards (issue #9; DESIGN.md says "about one second").
const maxLoss = 1500 * time.Millisecond

// Environment of the child.
const (
	envChild    = "ASSENT_CRASH_CHILD" // "record" or "withdraw"
	envDir      = "ASSENT_CRASH_DIR"
	envClient   = "ASSENT_CRASH_CLIENT"
	envFixture  = "ASSENT_CRASH_FIXTURE"
	envWithdraw = "ASSENT_CRASH_WITHDRAW_AFTER" // a duration
	envLive     = "ASSENT_CRASH_WITHDRAW_LIVE"  // "1": store the withdrawal before the recorder has stopped

	// What-if knobs, for measuring another wiring than the app's (see
	// the report of issue #9); unset, the child wires as the app does.
	envPiece = "ASSENT_CRASH_PIECE" // audio.Options.ChunkDuration, e.g. 250ms
	envChunk = "ASSENT_CRASH_CHUNK" // storage.Options.ChunkSize in bytes
)

// childLife bounds a child the parent forgot to kill.
const childLife = 60 * time.Second

func crashTrials(t *testing.T) int {
	n := 3
	if s := os.Getenv("ASSENT_CRASH_TRIALS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			t.Fatalf("ASSENT_CRASH_TRIALS=%q: want a positive number", s)
		}
	}
	return n
}

// TestCrashChild is the child process of the crash trials; run by itself
// it does nothing. It prints, on stdout:
//
//	recording <id>                          the recording has begun
//	capturing <unix ns>                     the first audio was read
//	sealed <bytes> <seconds> captured <seconds>
//	                                        after each piece storage accepted: the
//	                                        MP3 bytes sealed and fsynced so far (whole
//	                                        chunks), and the audio read so far
//	withdrawn                               the withdrawal with "delete all" is stored
//
// and then waits to be killed.
func TestCrashChild(t *testing.T) {
	mode := os.Getenv(envChild)
	if mode == "" {
		t.Skip("the child of TestCrashRecording and TestCrashWithdrawal; not a test by itself")
	}
	time.AfterFunc(childLife, func() { fmt.Println("fail: never killed"); os.Exit(3) })
	fail := func(format string, args ...any) {
		fmt.Printf("fail: "+format+"\n", args...)
		os.Exit(2)
	}
	pcm, err := os.ReadFile(os.Getenv(envFixture))
	if err != nil {
		fail("%v", err)
	}
	sopt, chunk := storageOptions(), int64(storage.DefaultChunkSize)
	if s := os.Getenv(envChunk); s != "" {
		n, _ := strconv.Atoi(s)
		sopt.ChunkSize, chunk = n, int64(n)
	}
	db, err := storage.Open(os.Getenv(envDir), sopt)
	if err != nil {
		fail("%v", err)
	}
	if err := db.Unlock(passphrase); err != nil {
		fail("%v", err)
	}
	run, err := beginSession(db, os.Getenv(envClient))
	if err != nil {
		fail("%v", err)
	}
	grant, err := run.askAndConfirm()
	if err != nil {
		fail("%v", err)
	}
	w, err := run.newRecording(grant)
	if err != nil {
		fail("%v", err)
	}
	fmt.Println("recording", w.ID())
	src := &pacedReader{pcm: pcm, rate: testmic.Rate, onStart: func(at time.Time) {
		fmt.Println("capturing", at.UnixNano())
	}}
	sink := &recordingSink{w: w, onWrite: func(total int64) {
		// RecordingWriter.Write seals and fsyncs every whole chunk before
		// it returns (storage/FORMAT.md, "Writing"); the rest waits in
		// its buffer for the chunk to fill.
		sealed := total / chunk * chunk
		fmt.Printf("sealed %d %.3f captured %.3f\n", sealed, mp3Seconds(sealed), src.captured().Seconds())
	}}
	ended := make(chan audio.End, 1)
	opts := audioOptions()
	opts.OnEnd = func(e audio.End) { sink.seal(w, e); ended <- e }
	if s := os.Getenv(envPiece); s != "" {
		if opts.ChunkDuration, err = time.ParseDuration(s); err != nil {
			fail("%s: %v", envPiece, err)
		}
	}
	rec, err := audio.Start(grant, audio.PCMMic{R: src, Rate: testmic.Rate}, sink, opts)
	if err != nil {
		fail("%v", err)
	}
	if mode == "record" {
		select {}
	}

	after, err := time.ParseDuration(os.Getenv(envWithdraw))
	if err != nil {
		fail("%v", err)
	}
	time.Sleep(after)
	ev := consent.Event{Kind: consent.EventWithdraw, Actor: consent.ByParticipant(run.stored.Participants[0].ID),
		Withdrawal: consent.WithdrawDeleteAll, At: time.Now()}
	eff, err := run.cs.Apply(ev)
	if err != nil || !eff.StopCapture {
		fail("withdraw: %v %+v", err, eff)
	}
	if os.Getenv(envLive) != "1" {
		// The app's order (sessionRun.apply): stop and seal, then store.
		rec.Stop()
		<-ended
	}
	if err := run.store(ev); err != nil {
		fail("store withdrawal: %v", err)
	}
	fmt.Println("withdrawn")
	select {}
}

// mp3Seconds is how much audio n bytes of Assent's MP3 hold: constant
// bitrate, lame.Options{} defaults to 32 kbit/s.
func mp3Seconds(n int64) float64 { return float64(n) * 8 / 32000 }

// child is a running child process and what it has said.
type child struct {
	cmd   *exec.Cmd
	lines chan line
	out   strings.Builder // everything it printed, for failure messages
	id    string          // the recording
	start time.Time       // first audio read
	last  line            // the last "sealed" line
}

type line struct {
	text string
	at   time.Time // when the parent read it
}

func startChild(t *testing.T, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	// The what-if knobs (envPiece, envChunk), when set, pass through.
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan line, 100)}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- line{sc.Text(), time.Now()}
		}
		close(c.lines)
	}()
	return c
}

// note takes in one line the child said.
func (c *child) note(t *testing.T, l line) {
	t.Helper()
	c.out.WriteString(l.text + "\n")
	f := strings.Fields(l.text)
	switch {
	case len(f) == 0:
	case f[0] == "fail:":
		t.Fatalf("child: %s", l.text)
	case f[0] == "recording":
		c.id = f[1]
	case f[0] == "capturing":
		ns, _ := strconv.ParseInt(f[1], 10, 64)
		c.start = time.Unix(0, ns)
	case f[0] == "sealed":
		c.last = l
	}
}

// until reads the child's lines until want returns true, or the child
// fails or exits, or d passes.
func (c *child) until(t *testing.T, d time.Duration, want func(line) bool) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.cmd.Wait()
				t.Fatalf("child exited (%v) before it was killed; it said:\n%s", c.cmd.ProcessState, c.out.String())
			}
			c.note(t, l)
			if want(l) {
				return
			}
		case <-timeout:
			t.Fatalf("child silent for %v; it said:\n%s", d, c.out.String())
		}
	}
}

// listenUntil reads the child's lines until the deadline.
func (c *child) listenUntil(t *testing.T, deadline time.Time) {
	t.Helper()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.cmd.Wait()
				t.Fatalf("child exited (%v) before it was killed; it said:\n%s", c.cmd.ProcessState, c.out.String())
			}
			c.note(t, l)
		case <-timer.C:
			return
		}
	}
}

// kill sends SIGKILL and returns when it was sent.
func (c *child) kill(t *testing.T) time.Time {
	t.Helper()
	at := time.Now()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
	// Whatever it printed before dying still counts as said before the kill.
	for l := range c.lines {
		c.out.WriteString(l.text + "\n")
		if f := strings.Fields(l.text); len(f) > 0 && f[0] == "sealed" && !l.at.After(at) {
			c.last = l
		}
	}
	return at
}

// sealedBytes and capturedAt read the last "sealed" line.
func (c *child) sealedBytes() int64 {
	f := strings.Fields(c.last.text)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n
}

func (c *child) capturedAt() (time.Duration, time.Time) {
	f := strings.Fields(c.last.text)
	if len(f) < 5 {
		return 0, c.start
	}
	s, _ := strconv.ParseFloat(f[4], 64)
	return time.Duration(s * float64(time.Second)), c.last.at
}

// capturedBefore is how much audio the child had read when it was killed:
// its last report plus the time since, and never more than the pacing
// allows (the time since its first read).
func (c *child) capturedBefore(kill time.Time) time.Duration {
	paced := kill.Sub(c.start)
	reported, at := c.capturedAt()
	return min(paced, reported+kill.Sub(at))
}

// trialResult is one crash trial's figures.
type trialResult struct {
	killAfter, captured, decoded, loss time.Duration
	outcome                            storage.RecoveryOutcome
}

// TestCrashRecording kills a recording child at a random moment between
// 1 s and 6 s of audio and checks, at the next start: the database opens,
// the audit chain verifies, the recording is recovered and plays with
// go-mp3, every byte the child's storage had sealed is there, and at most
// maxLoss of the audio captured before the kill is missing.
func TestCrashRecording(t *testing.T) {
	n := crashTrials(t)
	fixture, _ := speechPCM(t)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	var results []trialResult
	for i := range n {
		killAfter := time.Second + time.Duration(rng.Int64N(int64(5*time.Second)))
		r, ok := crashTrial(t, i, fixture, killAfter)
		if !ok {
			break
		}
		results = append(results, r)
	}
	reportLoss(t, results)
}

func crashTrial(t *testing.T, i int, fixture string, killAfter time.Duration) (res trialResult, ok bool) {
	t.Run(fmt.Sprintf("trial%02d", i), func(t *testing.T) {
		dir, clientID := newFolder(t)
		c := startChild(t, envChild+"=record", envDir+"="+dir, envClient+"="+clientID, envFixture+"="+fixture)
		c.until(t, 30*time.Second, func(l line) bool { return strings.HasPrefix(l.text, "capturing") })
		c.listenUntil(t, c.start.Add(killAfter))
		kill := c.kill(t)
		captured := c.capturedBefore(kill)
		res = trialResult{killAfter: kill.Sub(c.start), captured: captured}

		db := openUnlocked(t, dir) // crash recovery happens in Unlock
		if err := db.VerifyAudit(); err != nil {
			t.Errorf("audit chain after the crash: %v", err)
		}
		rec, err := db.Recording(c.id)
		if err != nil {
			t.Fatalf("the recording's row: %v", err)
		}
		for _, r := range db.LastRecovery() {
			if r.RecordingID == c.id {
				res.outcome = r.Outcome
			}
		}
		// Its consent is on disk with it: a recording never exists
		// without the yes it was made under.
		if evs, err := db.ConsentEvents(rec.SessionID); err != nil || len(evs) < 2 || evs[1].Kind != "confirm" {
			t.Errorf("consent events of the session: %v, %+v", err, evs)
		}
		switch rec.State {
		case storage.StateRecovered, storage.StateComplete:
			mp3, err := readRecording(db, c.id)
			if err != nil {
				t.Fatalf("reading the recovered recording: %v", err)
			}
			if int64(len(mp3)) < c.sealedBytes() {
				t.Errorf("recovered %d bytes; the child had %d sealed before the kill", len(mp3), c.sealedBytes())
			}
			d, err := decodeMP3(mp3)
			if err != nil {
				t.Fatalf("decoding the recovered recording: %v", err)
			}
			if d.RMS < 100 {
				t.Errorf("the recovered audio is silent (RMS %.0f): not the speech that went in", d.RMS)
			}
			if err := db.VerifyRecording(c.id); err != nil {
				t.Errorf("VerifyRecording: %v", err)
			}
			res.decoded = d.Duration
		case storage.StateDeleted:
			// Nothing whole was sealed yet: recovery erases it. That is
			// only within the promise if less than maxLoss was captured.
			if rec.DeleteReason != storage.ReasonNothingRecovered {
				t.Errorf("recording deleted for %q", rec.DeleteReason)
			}
		default:
			t.Fatalf("recording in state %s after unlock; LastRecovery %+v", rec.State, db.LastRecovery())
		}
		res.loss = max(0, res.captured-res.decoded)
		t.Logf("killed %.2fs after the first audio: captured %.2fs, sealed %d bytes (%.2fs), recovered %s %.2fs: lost %.2fs",
			res.killAfter.Seconds(), captured.Seconds(), c.sealedBytes(), mp3Seconds(c.sealedBytes()),
			res.outcome, res.decoded.Seconds(), res.loss.Seconds())
		if res.loss > maxLoss {
			t.Errorf("lost %.2fs of the %.2fs captured before the kill; the promise is at most %v",
				res.loss.Seconds(), captured.Seconds(), maxLoss)
		}
		ok = true
	})
	return res, ok
}

func reportLoss(t *testing.T, rs []trialResult) {
	if len(rs) == 0 {
		return
	}
	losses := make([]time.Duration, len(rs))
	var sum time.Duration
	over := 0
	for i, r := range rs {
		losses[i] = r.loss
		sum += r.loss
		if r.loss > maxLoss {
			over++
		}
	}
	slices.Sort(losses)
	t.Logf("crash trials: %d; audio lost: mean %.2fs, median %.2fs, worst %.2fs; over %v: %d",
		len(rs), (sum / time.Duration(len(rs))).Seconds(), losses[len(losses)/2].Seconds(),
		losses[len(losses)-1].Seconds(), maxLoss, over)
}

// TestCrashWithdrawal: the client withdraws with "delete all" after 1 to
// 6 s of recording; the child stores the withdrawal, says so, and is killed
// at once. At the next start the recording must be gone for good: a
// tombstone (state deleted, reason withdrawn), OpenRecording refused, no
// file left, the audit chain intact. Half the trials store the withdrawal
// as the app does (after stopping and sealing), half while the recorder is
// still writing, which is the harder case for storage.
func TestCrashWithdrawal(t *testing.T) {
	n := crashTrials(t)
	fixture, _ := speechPCM(t)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 10))
	for i := range n {
		after := time.Second + time.Duration(rng.Int64N(int64(5*time.Second)))
		live := i%2 == 1
		t.Run(fmt.Sprintf("trial%02d", i), func(t *testing.T) {
			dir, clientID := newFolder(t)
			env := []string{envChild + "=withdraw", envDir + "=" + dir, envClient + "=" + clientID,
				envFixture + "=" + fixture, envWithdraw + "=" + after.String()}
			if live {
				env = append(env, envLive+"=1")
			}
			c := startChild(t, env...)
			c.until(t, 30*time.Second, func(l line) bool { return l.text == "withdrawn" })
			c.kill(t)

			db := openUnlocked(t, dir)
			if err := db.VerifyAudit(); err != nil {
				t.Errorf("audit chain after the crash: %v", err)
			}
			rec, err := db.Recording(c.id)
			if err != nil {
				t.Fatalf("the recording's row: %v", err)
			}
			if rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonWithdrawn {
				t.Errorf("recording is %s (%q) after a withdrawal with delete all", rec.State, rec.DeleteReason)
			}
			if _, err := db.OpenRecording(c.id); !errors.Is(err, storage.ErrDeleted) {
				t.Errorf("OpenRecording = %v, want ErrDeleted", err)
			}
			for _, r := range db.LastRecovery() {
				if r.RecordingID == c.id {
					t.Errorf("recovery touched the withdrawn recording: %+v", r)
				}
			}
			entries, err := os.ReadDir(filepath.Join(dir, storage.RecordingsDir))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), c.id) {
					t.Errorf("%s is still on disk", e.Name())
				}
			}
			mode := "after the recorder stopped (the app's order)"
			if live {
				mode = "while the recorder was still writing"
			}
			t.Logf("withdrawn after %v, stored %s: recording deleted, no file left", after.Round(time.Millisecond), mode)
		})
	}
}
