package session_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/dbtest"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"

	_ "modernc.org/sqlite"
)

// cheapKDF keeps unlocking fast; these tests are about sessions.
var cheapKDF = storage.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

const passphrase = "correct horse battery staple"

// busyTimeout is how long storage waits for a lock another connection
// holds, in the tests that hold one.
const busyTimeout = 100 * time.Millisecond

// fixture is an unlocked practice with one client, in a temp folder, and
// a microphone reading the speech fixture as fast as the encoder takes it
// (a minute of audio costs a fraction of a second).
type fixture struct {
	t      *testing.T
	dir    string
	db     *storage.DB
	client storage.Client
	pcm    []byte
	opt    session.Options

	mu       sync.Mutex
	problems []*session.Problem
}

var speech struct {
	once sync.Once
	pcm  []byte
	err  error
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	speech.once.Do(func() {
		mic := testmic.New(t, "This is a therapy session. We talk, and only with your yes is it recorded.")
		speech.pcm, speech.err = os.ReadFile(mic.Fixture)
	})
	if speech.err != nil {
		t.Fatal(speech.err)
	}
	f := &fixture{t: t, dir: t.TempDir(), pcm: speech.pcm}
	db, err := storage.Open(f.dir, storage.Options{KDF: cheapKDF, BusyTimeout: busyTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.CreateVault(passphrase); err != nil {
		t.Fatal(err)
	}
	if f.client, err = db.CreateClient("A.B."); err != nil {
		t.Fatal(err)
	}
	f.db = db
	// A long stretch of speech: the tests stop long before it ends.
	mic := audio.PCMMic{R: bytes.NewReader(bytes.Repeat(f.pcm, 200)), Rate: testmic.Rate}
	f.opt = session.Options{
		DB:         db,
		Logf:       t.Logf,
		Location:   time.UTC,
		Mic:        func() audio.Mic { return mic },
		NewEncoder: func(kbps int) audio.NewEncoderFunc { return lame.NewFunc(lame.Options{Bitrate: kbps}) },
		// Owed steps are finished when a test says (Retry), not by the
		// session's timer, except where a test sets one.
		RetryEvery: -1,
	}
	return f
}

// start begins a session with the people named (clients).
func (f *fixture) start(names ...string) *session.Session {
	f.t.Helper()
	var people []consent.Participant
	for _, n := range names {
		people = append(people, consent.Participant{Name: n, Role: consent.RoleClient})
	}
	s, err := session.Start(f.opt, f.client, people, consent.CollectionOnScreen)
	if err != nil {
		f.t.Fatalf("Start: %v", err)
	}
	s.Watch(nil, func(p *session.Problem) {
		f.mu.Lock()
		f.problems = append(f.problems, p)
		f.mu.Unlock()
	})
	f.t.Cleanup(s.StopCapture)
	f.t.Cleanup(s.Silence) // before the database closes: no try after the test
	return s
}

// record asks, has everyone say yes, and waits until at least d is
// recorded.
func (f *fixture) record(s *session.Session, d time.Duration) {
	f.t.Helper()
	if err := s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
		f.t.Fatalf("ask: %v", err)
	}
	for _, p := range s.Participants() {
		if err := s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(p.ID), Participant: p.ID}); err != nil {
			f.t.Fatalf("yes: %v", err)
		}
	}
	if !s.Recording() {
		f.t.Fatalf("not recording after everyone said yes (state %v)", s.State())
	}
	waitFor(f.t, "audio to be recorded", func() bool { return s.Level().Elapsed >= d })
}

// busy holds the database's write lock from another connection, as
// `assent purge` or a backup tool would, until the returned func is called.
func (f *fixture) busy() (release func()) {
	f.t.Helper()
	return dbtest.HoldWriteLock(f.t, f.dir, storage.DBFile)
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func kindOf(err error) session.Kind {
	var p *session.Problem
	if errors.As(err, &p) {
		return p.Kind
	}
	return 0
}

func withdraw(s *session.Session, w consent.Withdrawal, minutes int) error {
	p := s.Participants()[0].ID
	return s.Apply(consent.Event{Kind: consent.EventWithdraw, Actor: consent.ByParticipant(p), Withdrawal: w, DeleteMinutes: minutes})
}

func TestYesRecordsAndStopKeeps(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	f.record(s, 2*time.Second)
	grant, ok := s.Grant()
	if !ok || !grant.Valid() {
		t.Fatal("no valid Grant while recording")
	}
	if err := withdraw(s, consent.WithdrawKeep, 0); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if s.Recording() || grant.Valid() || s.State() != consent.NotesOnly {
		t.Fatalf("after stop: recording %v, grant valid %v, state %v", s.Recording(), grant.Valid(), s.State())
	}
	recs, err := f.db.Recordings(s.ID())
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings %+v, %v", recs, err)
	}
	if r := recs[0]; r.State != storage.StateComplete || r.Duration < 2*time.Second || !r.DeleteOn.Equal(grant.DeleteOn()) {
		t.Errorf("recording %+v; want complete, ≥ 2 s, deleted on %v", r, grant.DeleteOn())
	}
	peaks, err := f.db.Peaks(recs[0].ID)
	if err != nil || len(peaks.Levels) < 2*int(time.Second/audio.PeakInterval) {
		t.Errorf("peaks: %d levels, %v", len(peaks.Levels), err)
	}
	evs, err := f.db.ConsentEvents(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"ask", "confirm", "withdraw"}; !equal(kinds, want) {
		t.Errorf("stored steps %v, want %v", kinds, want)
	}
}

func TestStartStoresWhatWasAsked(t *testing.T) {
	f := newFixture(t)
	if err := f.db.SetSetting(session.SettingKeepDays, "9"); err != nil {
		t.Fatal(err)
	}
	guardian := storage.NewID()
	people := []consent.Participant{
		{Name: "Kim", Role: consent.RoleMinor, GuardianID: guardian},
		{ID: guardian, Name: "Lee", Role: consent.RoleGuardian},
		{Name: "Sam", Role: consent.RoleGuardian},
	}
	s, err := session.Start(f.opt, f.client, people, consent.CollectionReadAloud)
	if err != nil {
		t.Fatal(err)
	}
	// The practice's settings change; the session keeps what it was asked
	// under.
	if err := f.db.SetSetting(session.SettingKeepDays, "3"); err != nil {
		t.Fatal(err)
	}
	ss, err := f.db.Session(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if session.MethodOf(ss) != consent.CollectionReadAloud {
		t.Errorf("method stored as %q", ss.Method)
	}
	if p, err := session.PolicyOf(ss); err != nil || p.DefaultKeepDays != 9 {
		t.Errorf("policy stored %+v, %v; want keep-days 9", p, err)
	}
	if ss.Participants[0].GuardianID != guardian {
		t.Errorf("Kim's guardian stored as %q, want Lee %q", ss.Participants[0].GuardianID, guardian)
	}
	cs, err := session.Replay(f.db, ss, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.Participants()[0].GuardianID; got != guardian {
		t.Errorf("replayed guardian %q, want %q", got, guardian)
	}
	if cs.Policy().DefaultKeepDays != 9 {
		t.Errorf("replayed under keep-days %d, want 9", cs.Policy().DefaultKeepDays)
	}
	if r := s.Receipt(""); r.Method != consent.CollectionReadAloud {
		t.Errorf("receipt method %v", r.Method)
	}

	t.Run("ErrGuardianRequired", func(t *testing.T) {
		before, _ := f.db.Sessions(f.client.ID)
		_, err := session.Start(f.opt, f.client, []consent.Participant{{Name: "Kim", Role: consent.RoleMinor}}, consent.CollectionOnScreen)
		if !errors.Is(err, consent.ErrGuardianRequired) {
			t.Errorf("a minor without a guardian: %v", err)
		}
		if after, _ := f.db.Sessions(f.client.ID); len(after) != len(before) {
			t.Error("a refused session was stored")
		}
	})
}

// TestProblemPerStep: storage failing at each step of a session (another
// connection holds the write lock past the busy timeout) comes back from
// that step as its Kind, and what the Kind says is true.
func TestProblemPerStep(t *testing.T) {
	t.Run("start", func(t *testing.T) {
		f := newFixture(t)
		release := f.busy()
		defer release()
		_, err := session.Start(f.opt, f.client, []consent.Participant{{Name: "Anna", Role: consent.RoleClient}}, consent.CollectionOnScreen)
		if kindOf(err) != session.KindNotStarted {
			t.Fatalf("Start while busy: %v, want KindNotStarted", err)
		}
	})
	t.Run("yes", func(t *testing.T) {
		f := newFixture(t)
		s := f.start("Anna")
		if err := s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
			t.Fatal(err)
		}
		release := f.busy()
		p := s.Participants()[0].ID
		err := s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(p), Participant: p})
		release()
		if kindOf(err) != session.KindAnswerNotStored {
			t.Fatalf("yes while busy: %v, want KindAnswerNotStored", err)
		}
		if s.Recording() || s.State() != consent.NotesOnly {
			t.Errorf("recording %v, state %v; the problem says notes only", s.Recording(), s.State())
		}
		if recs, _ := f.db.Recordings(s.ID()); len(recs) != 0 {
			t.Errorf("a recording exists without its consent on disk: %+v", recs)
		}
	})
	t.Run("withdrawal", func(t *testing.T) {
		f := newFixture(t)
		s := f.start("Anna")
		f.record(s, time.Second)
		release := f.busy()
		err := withdraw(s, consent.WithdrawDeleteAll, 0)
		recording := s.Recording()
		release()
		if kindOf(err) != session.KindWithdrawalOwed {
			t.Fatalf("delete all while busy: %v, want KindWithdrawalOwed", err)
		}
		if recording {
			t.Error("still recording after the stop")
		}
		// What the problem says: not deleted yet, and not playable.
		recs, _ := f.db.Recordings(s.ID())
		if len(recs) != 1 || recs[0].State == storage.StateDeleted {
			t.Errorf("the problem says nothing was deleted yet; recordings: %+v", recs)
		}
		if _, err := f.db.OpenRecording(recs[0].ID); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("OpenRecording of an owed deletion: %v, want ErrOwed", err)
		}
	})
	t.Run("withdrawal not even owed", func(t *testing.T) {
		f := newFixture(t)
		s := f.start("Anna")
		f.record(s, time.Second)
		// The owed journal's folder cannot be made: a file has its name.
		if err := os.WriteFile(filepath.Join(f.dir, storage.OwedDir), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		release := f.busy()
		err := withdraw(s, consent.WithdrawDeleteAll, 0)
		release()
		if kindOf(err) != session.KindWithdrawalNotStored {
			t.Fatalf("delete all while busy, with no journal: %v, want KindWithdrawalNotStored", err)
		}
		if s.Owed() {
			t.Error("Owed says the withdrawal is kept to be finished; it is not")
		}
	})
	t.Run("delete the last minutes", func(t *testing.T) {
		f := newFixture(t)
		s := f.start("Anna")
		f.record(s, 6*time.Minute)
		if err := withdraw(s, consent.WithdrawKeep, 0); err != nil {
			t.Fatal(err)
		}
		before, _ := f.db.Recordings(s.ID())
		// The step is stored; then storage cannot re-seal what is kept:
		// the recording's file has gone from the disk.
		files, _ := filepath.Glob(filepath.Join(f.dir, storage.RecordingsDir, before[0].ID+"*"))
		for _, name := range files {
			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
		}
		err := withdraw(s, consent.WithdrawDeleteLast, 5)
		if kindOf(err) != session.KindDeleteLastFailed {
			t.Fatalf("delete the last minutes without the file: %v, want KindDeleteLastFailed", err)
		}
		after, _ := f.db.Recordings(s.ID())
		if len(after) != 1 || after[0].Bytes != before[0].Bytes || after[0].State == storage.StateDeleted {
			t.Errorf("the problem says nothing was changed; before %+v after %+v", before, after)
		}
		if evs, _ := f.db.ConsentEvents(s.ID()); evs[len(evs)-1].Kind != "withdraw" {
			t.Errorf("the client's choice was not stored: %+v", evs[len(evs)-1])
		}
	})
	t.Run("end", func(t *testing.T) {
		f := newFixture(t)
		s := f.start("Anna")
		f.record(s, time.Second)
		release := f.busy()
		err := s.End(consent.Therapist())
		recording := s.Recording()
		release()
		if kindOf(err) != session.KindEndNotStored {
			t.Fatalf("end while busy: %v, want KindEndNotStored", err)
		}
		if recording {
			t.Error("still recording after the end")
		}
		// As the problem says: the next unlock ends it, as of its last step.
		left, err := session.LeftOpen(f.db, "")
		if err != nil || len(left) != 1 {
			t.Fatalf("sessions left open: %+v, %v", left, err)
		}
		if n := session.EndLeftOpen(f.db, left, time.UTC, t.Logf, func() bool { return true }); n != 1 {
			t.Errorf("EndLeftOpen ended %d", n)
		}
		if left, _ := session.LeftOpen(f.db, ""); len(left) != 0 {
			t.Errorf("still open: %+v", left)
		}
	})
}

func TestDeleteTheLastMinutes(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	f.record(s, 7*time.Minute)
	if err := withdraw(s, consent.WithdrawKeep, 0); err != nil {
		t.Fatal(err)
	}
	before, _ := f.db.Recordings(s.ID())
	if err := withdraw(s, consent.WithdrawDeleteLast, 5); err != nil {
		t.Fatalf("delete the last 5 minutes: %v", err)
	}
	after, _ := f.db.Recordings(s.ID())
	kept := before[0].Duration - 5*time.Minute
	if len(after) != 1 || after[0].Duration > kept+time.Second || after[0].Duration < kept-time.Second {
		t.Errorf("kept %v of %v, want about %v", after[0].Duration, before[0].Duration, kept)
	}
}

// TestMicrophoneLostIsReported: the microphone fails part-way (a FAKE
// source: the test microphone cannot be unplugged). What was sealed is
// kept, the session turns to notes only, and the problem says how much was
// kept, until when.
func TestMicrophoneLostIsReported(t *testing.T) {
	f := newFixture(t)
	const failAfter = 3 * testmic.Rate // samples: 3 s
	f.opt.Mic = func() audio.Mic {
		return audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
			src, err := audio.PCMMic{R: bytes.NewReader(bytes.Repeat(f.pcm, 4)), Rate: testmic.Rate}.Open(g)
			if err != nil {
				return nil, err
			}
			return &unplugged{Source: src, left: failAfter}, nil
		})
	}
	s := f.start("Anna")
	if err := s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
		t.Fatal(err)
	}
	p := s.Participants()[0].ID
	if err := s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(p), Participant: p}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the problem", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.problems) > 0
	})
	prob := f.problems[0]
	if prob.Kind != session.KindMicrophoneFailed || !errors.Is(prob.Err, audio.ErrDeviceLost) {
		t.Fatalf("problem %v, want KindMicrophoneFailed with ErrDeviceLost", prob)
	}
	if s.Recording() || s.State() != consent.NotesOnly {
		t.Errorf("after the loss: recording %v, state %v", s.Recording(), s.State())
	}
	recs, _ := f.db.Recordings(s.ID())
	if len(recs) != 1 || recs[0].State != storage.StateComplete {
		t.Fatalf("recordings %+v", recs)
	}
	if prob.Kept < 2500*time.Millisecond || prob.Kept > 3*time.Second || !prob.DeleteOn.Equal(recs[0].DeleteOn) {
		t.Errorf("problem says %v kept until %v; storage has %v until %v", prob.Kept, prob.DeleteOn, recs[0].Duration, recs[0].DeleteOn)
	}
}

// unplugged is a FAKE source that fails as audio/portaudio does for a lost
// device after left samples.
type unplugged struct {
	audio.Source
	left int
}

func (u *unplugged) Read(p []int16) (int, error) {
	if u.left <= 0 {
		return 0, audio.ErrDeviceLost
	}
	n, err := u.Source.Read(p[:min(len(p), u.left)])
	u.left -= n
	return n, err
}

func TestJoinStopsCaptureUntilEveryoneSaysYes(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	f.record(s, time.Second)

	t.Run("ErrGuardianRequired", func(t *testing.T) {
		// A minor without a guardian present is refused by consent:
		// nothing is stored and capture goes on.
		if err := s.Join("Kim", consent.RoleMinor, ""); !errors.Is(err, consent.ErrGuardianRequired) {
			t.Fatalf("join: %v", err)
		}
		if s.Recording() || s.State() != consent.Paused {
			t.Errorf("after a refused join: recording %v, state %v; want paused, off", s.Recording(), s.State())
		}
		ss, _ := f.db.Session(s.ID())
		if len(ss.Participants) != 1 {
			t.Errorf("the refused person was stored: %+v", ss.Participants)
		}
	})

	if err := s.Join("Ben", consent.RolePartner, ""); err != nil {
		t.Fatal(err)
	}
	if s.Recording() || s.State() != consent.AwaitingConsent || len(s.Pending()) != 2 {
		t.Fatalf("after a join: recording %v, state %v, pending %d", s.Recording(), s.State(), len(s.Pending()))
	}
	for _, p := range s.Participants() {
		if err := s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(p.ID), Participant: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if !s.Recording() {
		t.Fatal("not recording after everyone said yes again")
	}
	recs, _ := f.db.Recordings(s.ID())
	if len(recs) != 2 || recs[0].State != storage.StateComplete || recs[1].State != storage.StateRecording {
		t.Errorf("want the first segment sealed and a second recording: %+v", recs)
	}
	ss, _ := f.db.Session(s.ID())
	cs, err := session.Replay(f.db, ss, time.UTC)
	if err != nil || cs.State() != consent.Recording || len(cs.Participants()) != 2 {
		t.Errorf("replayed: %v, %+v", err, cs)
	}
}

// TestJoinNotStoredLeavesConsentAsItWas: the newcomer cannot be stored
// (the database held by another process): capture is off, the join is
// reported, consent still has only the people storage knows, and the
// history replays.
func TestJoinNotStoredLeavesConsentAsItWas(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	f.record(s, 300*time.Millisecond)
	release := f.busy()
	err := s.Join("Ben", consent.RolePartner, "")
	recording := s.Recording()
	release()
	if kindOf(err) != session.KindJoinNotStored {
		t.Fatalf("a join while the database is busy: %v, want KindJoinNotStored", err)
	}
	if recording {
		t.Error("still recording with someone new in the room")
	}
	if n := len(s.Participants()); n != 1 || s.State() != consent.Paused {
		t.Errorf("consent after the failed join: %d people, state %v; want Anna alone, paused", n, s.State())
	}
	if err := s.Retry(); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	ss, _ := f.db.Session(s.ID())
	if cs, err := session.Replay(f.db, ss, time.UTC); err != nil || cs.State() != consent.Paused {
		t.Errorf("the history after the failed join replays to %v, %v", cs, err)
	}
}

func TestEndLeftOpenAtTheLastTrace(t *testing.T) {
	f := newFixture(t)
	clock := time.Now().Add(time.Hour).Round(time.Second) // after storage's start time
	f.opt.Now = func() time.Time { return clock }
	s := f.start("Anna")
	if err := s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(3 * time.Minute)
	p := s.Participants()[0].ID
	if err := s.Apply(consent.Event{Kind: consent.EventDecline, Actor: consent.ByParticipant(p), Participant: p}); err != nil {
		t.Fatal(err)
	}
	last := clock
	// The app stops here (a crash); the next unlock ends the session.
	left, err := session.LeftOpen(f.db, "")
	if err != nil || len(left) != 1 {
		t.Fatalf("left open: %+v %v", left, err)
	}
	if left2, _ := session.LeftOpen(f.db, s.ID()); len(left2) != 0 {
		t.Errorf("the session under way is listed as left open")
	}
	if n := session.EndLeftOpen(f.db, left, time.UTC, t.Logf, func() bool { return true }); n != 1 {
		t.Fatalf("ended %d", n)
	}
	evs, _ := f.db.ConsentEvents(s.ID())
	if e := evs[len(evs)-1]; e.Kind != "end" || e.Actor != "system" || !e.At.Equal(last) {
		t.Errorf("last step %+v, want an end by the system at %v", e, last)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
