package app

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	mp3 "github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// countingMic wraps a Mic and counts how often it was opened.
type countingMic struct {
	audio.Mic
	opened atomic.Int32
	closed atomic.Int32
}

func (m *countingMic) Open(g consent.Grant) (audio.Source, error) {
	src, err := m.Mic.Open(g)
	if err != nil {
		return nil, err
	}
	m.opened.Add(1)
	return &countedSource{Source: src, m: m}, nil
}

// isOpen reports whether a source the microphone opened is still open.
func (m *countingMic) isOpen() bool { return m.opened.Load() > m.closed.Load() }

// countedSource counts its Close in its microphone.
type countedSource struct {
	audio.Source
	m    *countingMic
	once sync.Once
}

func (s *countedSource) Close() error {
	s.once.Do(func() { s.m.closed.Add(1) })
	return s.Source.Close()
}

// sessionFixture is a UI unlocked over a real database, with one client,
// the speech fixture as its microphone (paced, 4× real time) and the real
// LAME encoder.
type sessionFixture struct {
	u   *UI
	db  *storage.DB
	mic *countingMic
}

func newSessionFixture(t *testing.T) *sessionFixture {
	t.Helper()
	return newSessionFixtureOn(t, test.NewTempApp(t))
}

// newSessionFixtureOn is newSessionFixture in the app a.
func newSessionFixtureOn(t *testing.T, a fyne.App) *sessionFixture {
	t.Helper()
	fix := testmic.New(t, "This is a therapy session. We talk, and only with your yes is it recorded.")
	pcm, err := os.ReadFile(fix.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	mic := &countingMic{Mic: audio.PCMMic{R: &testmic.PacedReader{PCM: pcm, Speed: 4}}}
	u, db := newUIOn(t, a, t.TempDir(), nil, nil)
	u.opt.Microphones = oneMicrophone{mic}
	u.opt.NewEncoder = func(kbps int) audio.NewEncoderFunc { return lame.NewFunc(lame.Options{Bitrate: kbps}) }
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateClient("A.B."); err != nil {
		t.Fatal(err)
	}
	u.Start()
	t.Cleanup(func() {
		if s, ok := u.screen.(*kioskScreen); ok {
			s.run.StopCapture()
		}
		if s, ok := u.screen.(*sessionScreen); ok {
			s.run.StopCapture()
		}
	})
	return &sessionFixture{u: u, db: db, mic: mic}
}

// startSession goes from the practice screen to the client screen with the
// people named.
func (f *sessionFixture) startSession(t *testing.T, people ...string) *kioskScreen {
	t.Helper()
	ss := f.openSession(t, people...)
	test.Tap(ss.ask)
	k, ok := f.u.screen.(*kioskScreen)
	if !ok {
		t.Fatalf("after Ask the screen is %T (problem %q)", f.u.screen, ss.problem.Text)
	}
	return k
}

// openSession goes from the practice screen to the therapist's screen of
// a new session with the people named, before anyone is asked.
func (f *sessionFixture) openSession(t *testing.T, people ...string) *sessionScreen {
	t.Helper()
	st := f.startScreen(t)
	for i, name := range people {
		if i > 0 {
			test.Tap(st.more)
		}
		test.Type(st.rows[i].name, name)
	}
	test.Tap(st.begin)
	ss, ok := f.u.screen.(*sessionScreen)
	if !ok {
		t.Fatalf("after Start the screen is %T (problem %q)", f.u.screen, st.problem.Text)
	}
	return ss
}

// startScreen goes from the practice screen to the new session screen of
// the first client.
func (f *sessionFixture) startScreen(t *testing.T) *startScreen {
	t.Helper()
	p, ok := f.u.screen.(*practiceScreen)
	if !ok {
		t.Fatalf("screen is %T, want the practice", f.u.screen)
	}
	p.list.Select(0)
	test.Tap(p.start)
	return f.u.screen.(*startScreen)
}

// recordAndStop unlocks, starts a session with Anna, who says yes, records
// for at least d of audio and taps "Stop recording": the client screen is
// then asking what happens to what was recorded.
func (f *sessionFixture) recordAndStop(t *testing.T, d time.Duration) *kioskScreen {
	t.Helper()
	k := f.recording(t, d)
	test.Tap(k.stop)
	return k
}

// recording unlocks, starts a session with Anna, who says yes, and waits
// until at least d of audio has been captured.
func (f *sessionFixture) recording(t *testing.T, d time.Duration) *kioskScreen {
	t.Helper()
	f.unlockPractice(t)
	k := f.startSession(t, "Anna")
	test.Tap(k.yes[k.run.Participants()[0].ID])
	waitRecorded(t, k, d)
	return k
}

// waitRecorded waits until at least d of audio has been captured.
func waitRecorded(t *testing.T, k *kioskScreen, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for k.run.Level().Elapsed < d {
		settle(k.ui)
		if time.Now().After(deadline) {
			t.Fatalf("only %v recorded after 60 s", k.run.Level().Elapsed)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *sessionFixture) unlockPractice(t *testing.T) {
	t.Helper()
	s := f.u.screen.(*unlockScreen)
	test.Type(s.pass, goodPassphrase)
	test.Tap(s.unlock.button)
	settle(f.u)
}

func TestClientSaysYesThenStopsAndKeeps(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	k := f.startSession(t, "Anna")

	if !strings.Contains(k.status.Text, appText.MicOffText) {
		t.Errorf("before the answer the client screen says %q, want %q", k.status.Text, appText.MicOffText)
	}
	if f.mic.opened.Load() != 0 {
		t.Fatal("the microphone was opened before anyone said yes")
	}
	id := k.run.Participants()[0].ID
	test.Tap(k.yes[id])
	if k.run.State() != consent.Recording || !k.run.Recording() {
		t.Fatalf("after yes: state %v, recording %v (problem %q)", k.run.State(), k.run.Recording(), k.problem.Text)
	}
	if f.mic.opened.Load() != 1 {
		t.Fatalf("microphone opened %d times", f.mic.opened.Load())
	}
	waitRecorded(t, k, 3*time.Second)
	test.Tap(k.stop)
	if k.run.Recording() || k.run.State() != consent.NotesOnly {
		t.Fatalf("after Stop: state %v, recording %v", k.run.State(), k.run.Recording())
	}
	if !strings.Contains(k.status.Text, appText.MicOffText) {
		t.Errorf("after Stop the client screen says %q", k.status.Text)
	}
	if k.keep == nil || k.dropLast == nil || k.dropAll == nil {
		t.Fatal("no choice of what happens to the recording")
	}
	test.Tap(k.keep)

	recs, err := f.db.Recordings(k.run.ID())
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings: %v, %v", recs, err)
	}
	r := recs[0]
	if r.State != storage.StateComplete {
		t.Errorf("recording state %v, want complete", r.State)
	}
	if r.Duration < 3*time.Second {
		t.Errorf("recording lasts %v, want at least 3 s", r.Duration)
	}
	grantDate := k.run.DeleteOn()
	if !r.DeleteOn.Equal(grantDate) {
		t.Errorf("recording deleted on %v, consent says %v", r.DeleteOn, grantDate)
	}
	// Until Anna says keep at the end, nobody can play it.
	if _, err := f.db.OpenRecording(r.ID); !errors.Is(err, storage.ErrUnconfirmed) {
		t.Fatalf("opened before the question at the end: %v", err)
	}
	f.endAndAnswer(t, k, consent.EventKeep)
	// What was stored decodes as MP3 of about that length.
	rc, err := f.db.OpenRecording(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	dec, err := mp3.NewDecoder(rc)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, dec)
	if err != nil {
		t.Fatal(err)
	}
	decoded := time.Duration(n/4) * time.Second / time.Duration(dec.SampleRate())
	if d := decoded - r.Duration; d < -time.Second || d > time.Second {
		t.Errorf("decoded %v of audio, the row says %v", decoded, r.Duration)
	}

	var kinds []string
	evs, err := f.db.ConsentEvents(k.run.ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if got, want := strings.Join(kinds, ","), "ask,confirm,withdraw,end,keep"; got != want {
		t.Errorf("stored consent events %s, want %s", got, want)
	}
}

// endToQuestion ends k's recorded session from the therapist's screen and
// returns the client screen that asks the question at the end.
func (f *sessionFixture) endToQuestion(t *testing.T, k *kioskScreen) *kioskScreen {
	t.Helper()
	ss := newSessionScreen(f.u, k.run)
	f.u.show(ss)
	test.Tap(ss.end)
	end, ok := f.u.screen.(*kioskScreen)
	if !ok || k.run.State() != consent.Confirming {
		t.Fatalf("after End: screen %T, state %s", f.u.screen, k.run.State())
	}
	return end
}

// endNotesOnly ends k's session, which recorded nothing, from the
// therapist's screen, closes the summary, and unlocks again.
func (f *sessionFixture) endNotesOnly(t *testing.T, k *kioskScreen) {
	t.Helper()
	ss := newSessionScreen(f.u, k.run)
	f.u.show(ss)
	test.Tap(ss.end)
	test.Tap(f.u.screen.(*summaryScreen).done)
	f.unlockPractice(t)
}

// endAndAnswer ends k's session from the therapist's screen (after the
// passphrase) and has each recorded person give answer (EventKeep or
// EventDiscard) to the question at the end on the client screen; it
// returns the summary that follows.
func (f *sessionFixture) endAndAnswer(t *testing.T, k *kioskScreen, answer consent.EventKind) *summaryScreen {
	t.Helper()
	end := f.endToQuestion(t, k)
	for _, p := range k.run.Recorded() {
		keep, drop := end.keepIt[p.ID], end.deleteIt[p.ID]
		if keep == nil || drop == nil {
			t.Fatalf("%s is not asked at the end", p.Name)
		}
		if keep.Importance != drop.Importance || keep.Text != appText.KeepItText || drop.Text != appText.DeleteItNowText {
			t.Errorf("the answers at the end are not equal: %q %v, %q %v", keep.Text, keep.Importance, drop.Text, drop.Importance)
		}
		if answer == consent.EventKeep {
			test.Tap(keep)
		} else {
			test.Tap(drop)
			break
		}
		if _, stillAsking := f.u.screen.(*kioskScreen); !stillAsking {
			break
		}
	}
	sum, ok := f.u.screen.(*summaryScreen)
	if !ok {
		t.Fatalf("after the answers at the end the screen is %T (state %s)", f.u.screen, k.run.State())
	}
	return sum
}

func TestOneNoMeansNotesOnly(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	k := f.startSession(t, "Sam", "Alex")
	ps := k.run.Participants()
	test.Tap(k.yes[ps[0].ID])
	if k.run.Recording() {
		t.Fatal("recording after only one of two said yes")
	}
	if k.yes[ps[0].ID] != nil {
		t.Error("Sam's buttons are still shown after Sam answered")
	}
	test.Tap(k.no[ps[1].ID])
	if k.run.State() != consent.NotesOnly || k.run.Recording() {
		t.Fatalf("after one no: state %v, recording %v", k.run.State(), k.run.Recording())
	}
	if f.mic.opened.Load() != 0 {
		t.Error("the microphone was opened")
	}
	if !strings.Contains(k.status.Text, appText.MicOffText) {
		t.Errorf("client screen says %q", k.status.Text)
	}
}

func TestDeleteAllAfterStop(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recordAndStop(t, time.Second)
	test.Tap(k.dropAll)
	recs, err := f.db.Recordings(k.run.ID())
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings: %v, %v", recs, err)
	}
	if recs[0].State != storage.StateDeleted {
		t.Errorf("after Delete all the recording is %v", recs[0].State)
	}
	if _, err := f.db.OpenRecording(recs[0].ID); err == nil {
		t.Error("a deleted recording still opens")
	}
}

func TestDeleteLastMinutes(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recordAndStop(t, 2*time.Second)
	test.Tap(k.dropLast)
	// Everything was shorter than five minutes, so nothing readable stays.
	recs, _ := f.db.Recordings(k.run.ID())
	for _, r := range recs {
		if rc, err := f.db.OpenRecording(r.ID); err == nil {
			n, _ := io.Copy(io.Discard, rc)
			rc.Close()
			if n > 0 {
				t.Errorf("recording %s still has %d bytes after deleting the last 5 minutes of %v", r.ID, n, r.Duration)
			}
		}
	}
}

func TestJoinStopsCaptureUntilEveryoneSaysYes(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recording(t, time.Second)
	run := k.run
	if err := run.Join("Ben", consent.RolePartner, ""); err != nil {
		t.Fatal(err)
	}
	if run.Recording() || run.State() != consent.AwaitingConsent {
		t.Fatalf("after a join: state %v, recording %v", run.State(), run.Recording())
	}
	k = newKioskScreen(f.u, run)
	f.u.show(k)
	if len(k.yes) != 2 {
		t.Fatalf("%d people asked after the join, want both", len(k.yes))
	}
	for _, p := range run.Participants() {
		test.Tap(k.yes[p.ID])
	}
	if !run.Recording() {
		t.Fatal("not recording after everyone said yes again")
	}
	recs, _ := f.db.Recordings(run.ID())
	if len(recs) != 2 || recs[0].State != storage.StateComplete || recs[1].State != storage.StateRecording {
		t.Errorf("want the first segment sealed and a second one recording: %+v", recs)
	}
}

func TestKioskWorksByKeyboard(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	k := f.startSession(t, "Anna")
	if f.u.win.Canvas().Focused() != nil {
		t.Fatalf("an answer is preselected: %#v", f.u.win.Canvas().Focused())
	}
	// Tab reaches "Yes", then "No"; Shift-Tab goes back; Enter presses.
	c := f.u.win.Canvas()
	for i := 0; i < 10; i++ {
		test.FocusNext(c)
		if b, ok := c.Focused().(*bigButton); ok && b.Text == appText.YesText {
			break
		}
	}
	if b, ok := c.Focused().(*bigButton); !ok || b.Text != appText.YesText {
		t.Fatalf("Tab never reaches Yes; focus on %#v", c.Focused())
	}
	test.FocusNext(f.u.win.Canvas())
	if b, ok := f.u.win.Canvas().Focused().(*bigButton); !ok || b.Text != appText.NoText {
		t.Fatalf("after Tab the focus is on %#v, want No", f.u.win.Canvas().Focused())
	}
	test.FocusPrevious(f.u.win.Canvas())
	f.u.win.Canvas().Focused().TypedKey(&fyneKeyEvent)
	if !k.run.Recording() {
		t.Fatal("Enter on Yes did not start the recording")
	}
	waitRecorded(t, k, 500*time.Millisecond)
	if b, ok := f.u.win.Canvas().Focused().(*bigButton); !ok || b.Text != appText.StopText {
		t.Fatalf("while recording the focus is on %#v, want Stop", f.u.win.Canvas().Focused())
	}
	f.u.win.Canvas().Focused().TypedKey(&fyneKeyEvent)
	if k.run.Recording() {
		t.Fatal("Enter on Stop did not stop")
	}
}

func TestNoMicrophoneMeansNotesOnly(t *testing.T) {
	f := newSessionFixture(t)
	f.u.opt.Microphones = nil
	f.unlockPractice(t)
	k := f.startSession(t, "Anna")
	if !containsText(k.actions, "isn't available") {
		t.Error("the client screen does not say that there is no microphone")
	}
	test.Tap(k.yes[k.run.Participants()[0].ID])
	if k.run.Recording() || k.run.State() != consent.NotesOnly {
		t.Fatalf("state %v, recording %v", k.run.State(), k.run.Recording())
	}
	if k.problem.Text != appText.NoMicText {
		t.Errorf("problem = %q", k.problem.Text)
	}
}

// failingMic stands in for a microphone that is unplugged part-way: the
// real device cannot be unplugged in a test. Its Source gives the speech
// fixture, then an error wrapping audio.ErrDeviceLost.
type failingMic struct {
	pcm   []byte
	after int // bytes before the failure
}

func (m failingMic) Open(g consent.Grant) (audio.Source, error) {
	r := io.MultiReader(bytes.NewReader(m.pcm[:m.after]), errReader{audio.ErrDeviceLost})
	return audio.PCMMic{R: r}.Open(g)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestMicrophoneLostKeepsWhatWasRecorded(t *testing.T) {
	f := newSessionFixture(t)
	fix := testmic.New(t, "What was said before the microphone was unplugged is kept.")
	pcm, _ := os.ReadFile(fix.Fixture)
	f.u.opt.Microphones = oneMicrophone{failingMic{pcm: pcm, after: 2 * audio.SpeechRate * 2}} // two seconds
	f.unlockPractice(t)
	k := f.startSession(t, "Anna")
	test.Tap(k.yes[k.run.Participants()[0].ID])
	deadline := time.Now().Add(10 * time.Second)
	for k.run.State() == consent.Recording && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		settle(f.u)
	}
	if k.run.State() != consent.NotesOnly {
		t.Fatalf("after the microphone was lost the state is %v", k.run.State())
	}
	if !strings.Contains(k.problem.Text, "The 2 seconds recorded before that is kept until") {
		t.Errorf("problem = %q, want a sentence saying the 2 seconds recorded are kept", k.problem.Text)
	}
	recs, _ := f.db.Recordings(k.run.ID())
	if len(recs) != 1 || recs[0].State != storage.StateComplete || recs[0].Duration < 1500*time.Millisecond {
		t.Errorf("what was recorded before the loss: %+v", recs)
	}
}

// containsText reports whether a label under c contains text (any case).
func containsText(c fyne.CanvasObject, text string) bool {
	for _, obj := range test.LaidOutObjects(c) {
		if l, ok := obj.(*widget.Label); ok && strings.Contains(strings.ToLower(l.Text), strings.ToLower(text)) {
			return true
		}
	}
	return false
}

// TestShorterChoiceAppliesToWhatWasRecorded: after a join, a newcomer who
// wants it deleted at the end of today shortens the date of the segment
// recorded before they came too.
func TestShorterChoiceAppliesToWhatWasRecorded(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recording(t, time.Second)
	run := k.run
	first := run.DeleteOn()
	if err := run.Join("Ben", consent.RolePartner, ""); err != nil {
		t.Fatal(err)
	}
	k = newKioskScreen(f.u, run)
	f.u.show(k)
	chooseSooner(t, k, 0, true)
	for _, p := range run.Participants() {
		test.Tap(k.yes[p.ID])
	}
	if !run.Recording() {
		t.Fatal("not recording after everyone said yes again")
	}
	today := run.DeleteOn()
	if !today.Before(first) {
		t.Fatalf("end of today (%v) is not earlier than %v", today, first)
	}
	recs, _ := f.db.Recordings(run.ID())
	for _, r := range recs {
		if !r.DeleteOn.Equal(today) {
			t.Errorf("segment %d is deleted on %v, want the shorter %v", r.Segment, r.DeleteOn, today)
		}
	}
}

// TestNotesSavedEncryptedWithHandwriting: typed notes and handwriting are
// saved (sealed) and come back when the session screen is opened again.
func TestNotesSavedEncryptedWithHandwriting(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	ss := f.openSession(t, "Anna")
	test.Tap(ss.notesBtn) // notes only from the start
	test.Type(ss.notes, "Talked about sleep.")
	ss.ink.canvas.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(40, 40)}, Dragged: fyne.NewDelta(30, 30)})
	ss.ink.canvas.DragEnd()
	ss.saveNotes()
	if ss.dirty {
		t.Fatalf("notes not saved: %q", ss.saved.Text)
	}
	n, err := f.db.Notes(ss.run.ID())
	if err != nil || n.Text != "Talked about sleep." || len(n.Ink) == 0 {
		t.Fatalf("stored notes %q, %d bytes of ink, %v", n.Text, len(n.Ink), err)
	}
	again := newSessionScreen(f.u, ss.run)
	if again.notes.Text != "Talked about sleep." || again.ink.canvas.pageCount() != 1 || len(again.ink.canvas.sheets()[0].Strokes) != 1 {
		t.Errorf("reopened: %q, %d pages", again.notes.Text, again.ink.canvas.pageCount())
	}
}

// TestSettingsNeverRewriteThePast: a session's history is replayed under
// the policy it was asked under, so changing the settings afterwards
// changes new sessions only.
func TestSettingsNeverRewriteThePast(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	k := f.startSession(t, "Anna")
	chooseSooner(t, k, 7, false) // 7 days: fine under 28, not under 5
	test.Tap(k.yes[k.run.Participants()[0].ID])
	waitRecorded(t, k, 500*time.Millisecond)
	test.Tap(k.stop)
	test.Tap(k.keep)
	old, err := f.db.Session(k.run.ID())
	if err != nil {
		t.Fatal(err)
	}

	if err := f.db.SetSetting(settingKeepDays, "5"); err != nil {
		t.Fatal(err)
	}
	sum := f.u.summarise(old)
	if sum.unknown || sum.outcome != consent.OutcomeWithdrawn {
		t.Errorf("after the settings changed, the old session reads as %+v", sum)
	}
	if p := f.u.policyFromSettings(); p.DefaultKeepDays != 5 {
		t.Errorf("new sessions get keep-days %d, want the new setting 5", p.DefaultKeepDays)
	}
}

// A lock (Ctrl+L, or the auto-lock while the therapist listens and writes)
// during a session that is not recording must not lose the session: the
// unlock brings back its screen, with its notes, not the practice.
func TestUnlockReturnsToTheOpenSession(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	s := f.openSession(t, "Anna")
	run := s.run
	test.Type(s.notes, "Anna spoke about her week.")
	f.u.Lock()
	if _, ok := f.u.screen.(*unlockScreen); !ok {
		t.Fatalf("after Lock the screen is %T", f.u.screen)
	}
	f.unlockPractice(t)
	back, ok := f.u.screen.(*sessionScreen)
	if !ok {
		t.Fatalf("after unlocking the screen is %T, want the open session", f.u.screen)
	}
	if back.run != run || back.notes.Text != "Anna spoke about her week." {
		t.Errorf("back to run %p (was %p) with notes %q", back.run, run, back.notes.Text)
	}
}

// Quitting (Ctrl+Q, the close button, a logout) in the middle of a
// recorded session seals what was recorded and ends the session: its
// consent history closes with an "end" by the app, then a second one that
// closes the question at the end nobody is left to answer (by the
// practice's rule: here, keep until the date), and it is no longer open.
func TestQuitEndsTheSession(t *testing.T) {
	for _, how := range []string{"Quit", "Shutdown alone"} {
		t.Run(how, func(t *testing.T) { quitEndsTheSession(t, how) })
	}
}

// quitEndsTheSession: how is "Quit", or "Shutdown alone" for the app's
// loop ended by Fyne itself (a signal), after which cmd calls Shutdown.
func quitEndsTheSession(t *testing.T, how string) {
	f := newSessionFixture(t)
	if err := f.db.SetSetting(session.SettingUnanswered, session.UnansweredKeep); err != nil {
		t.Fatal(err)
	}
	k := f.recording(t, time.Second)
	id := k.run.ID()
	if how == "Quit" {
		f.u.Quit()
	}
	f.u.Shutdown()
	if f.u.run != nil {
		t.Error("the session is still under way after Quit")
	}
	if f.db.Unlocked() {
		t.Error("Quit left the keys in memory")
	}
	if err := f.db.Unlock(goodPassphrase); err != nil { // consent data is sealed at rest
		t.Fatal(err)
	}
	events, err := f.db.ConsentEvents(id)
	if err != nil {
		t.Fatal(err)
	}
	ends := 0
	for _, e := range events {
		if e.Kind == "end" {
			ends++
		}
	}
	if ends != 2 {
		t.Errorf("%d ends in the history, want 2 (the session's, and the question at the end closed)", ends)
	}
	if last := events[len(events)-1]; last.Kind != "end" || last.Actor != "system" {
		t.Errorf("the history ends with %s by %s, want end by the app (it may be a logout, or the client's Ctrl+Q)", last.Kind, last.Actor)
	}
	if open, _ := f.db.OpenSessions(); len(open) != 0 {
		t.Errorf("%d sessions still open", len(open))
	}
	recs, _ := f.db.Recordings(id)
	if len(recs) != 1 || recs[0].State != storage.StateComplete || recs[0].Duration < time.Second {
		t.Errorf("recordings after Quit: %+v", recs)
	}
}

// A session a crash left open (here: the UI is dropped without Quit, as a
// kill would, after the client said yes and a recording was made) is ended
// at the next first unlock, by the app, at its last trace rather than at
// the unlock; the practice says so once.
func TestAbandonedSessionEndedAtItsLastTrace(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	u, db := newUIIn(t, dir, clock, time.UTC)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateClient("A.B.")
	if err != nil {
		t.Fatal(err)
	}
	ss, err := db.CreateSession(c.ID, storage.Participant{Name: "Anna", Role: "client"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := session.Replay(u.db, ss, u.opt.Location)
	if err != nil {
		t.Fatal(err)
	}
	anna := cs.Participants()[0].ID
	clock.Add(2 * time.Minute)
	for _, ev := range []consent.Event{
		{Kind: consent.EventAsk, Actor: consent.Therapist(), At: clock.Now()},
		{Kind: consent.EventConfirm, Actor: consent.ByParticipant(anna), Participant: anna, At: clock.Now().Add(time.Minute)},
	} {
		if _, err := cs.Apply(ev); err != nil {
			t.Fatal(err)
		}
		if err := session.StoreEvent(u.db, ss.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Unlock(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	clock.Add(38 * time.Minute) // 9:40
	if err := db.SaveNotes(ss.ID, storage.Notes{Text: "written at 9:40"}); err != nil {
		t.Fatal(err)
	}
	lastTrace := clock.Now()
	db.Lock()

	clock.Add(26 * time.Hour) // the next morning: Assent is started again
	u.Start()
	p := unlockToPractice(t, u)
	u.Wait() // sessions left open are ended in the background
	settle(u)
	if !strings.Contains(p.notice.Text, "1 session left open when Assent stopped unexpectedly was ended as of its last step") {
		t.Errorf("notice %q", p.notice.Text)
	}
	got, err := db.Session(ss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.EndedAt.Equal(lastTrace) {
		t.Errorf("ended at %v, want the last trace %v (not the unlock at %v)", got.EndedAt, lastTrace, clock.Now())
	}
	events, _ := db.ConsentEvents(ss.ID)
	if last := events[len(events)-1]; last.Kind != "end" || last.Actor != "system" || !last.At.Equal(lastTrace) {
		t.Errorf("last consent step: %s by %s at %v", last.Kind, last.Actor, last.At)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Error(err)
	}

	u.Lock()
	if p := unlockToPractice(t, u); p.notice.Text != "" {
		t.Errorf("notice at the second unlock: %q", p.notice.Text)
	}
}

// A session left open whose history cannot be replayed (here an event
// whose data is not the consent package's) is still marked ended, so that
// it is not retried for ever.
func TestAbandonedSessionWithABadHistoryIsEnded(t *testing.T) {
	u, db := newTestUI(t)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	c, _ := db.CreateClient("A.B.")
	ss, err := db.CreateSession(c.ID, storage.Participant{Name: "Anna", Role: "client"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendConsentEvent(storage.ConsentEvent{SessionID: ss.ID, Kind: "ask", At: time.Now(), Actor: "therapist", Data: []byte("{not the consent package's")}); err != nil {
		t.Fatal(err)
	}
	db.Lock()
	u.Start()
	unlockToPractice(t, u)
	u.Wait()
	settle(u)
	if open, _ := db.OpenSessions(); len(open) != 0 {
		t.Errorf("%d sessions still open", len(open))
	}
}

// The window's close button asks first while a session is open: closing
// ends it. "Keep it open" changes nothing; "Close Assent" quits as Ctrl+Q,
// and what the dialog said happens to the recording is what storage holds
// afterwards, under each of the practice's rules.
func TestCloseButtonAsksDuringASession(t *testing.T) {
	for _, c := range []struct {
		rule, says string
		deleted    bool
	}{
		{session.UnansweredDelete, "what was recorded today is deleted now", true},
		{session.UnansweredKeep, "what was recorded today is kept until its deletion date", false},
		{"", "Recording stops. What was recorded is kept until its deletion date.", false},
	} {
		t.Run(c.rule, func(t *testing.T) { closeButtonDuringASession(t, c.rule, c.says, c.deleted) })
	}
}

// closeButtonDuringASession is TestCloseButtonAsksDuringASession under the
// unanswered rule ("" for no question at the end).
func closeButtonDuringASession(t *testing.T, rule, says string, deleted bool) {
	f := newSessionFixture(t)
	if rule == "" {
		if err := f.db.SetSetting(session.SettingEndQuestion, "false"); err != nil {
			t.Fatal(err)
		}
	} else if err := f.db.SetSetting(session.SettingUnanswered, rule); err != nil {
		t.Fatal(err)
	}
	k := f.recording(t, time.Second)
	id := k.run.ID()
	// The therapist's screen, while the recording goes on.
	test.Tap(k.therapist)
	passphraseInDialog(t, f.u, goodPassphrase)
	if _, ok := f.u.screen.(*sessionScreen); !ok {
		t.Fatalf("after the passphrase the screen is %T", f.u.screen)
	}
	tapInDialog := func(text string) {
		t.Helper()
		top := f.u.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("no dialog")
		}
		if !containsText(top, says) {
			t.Errorf("the dialog does not say %q", says)
		}
		for _, o := range test.LaidOutObjects(top) {
			if b, ok := o.(*widget.Button); ok && b.Text == text {
				test.Tap(b)
				return
			}
		}
		t.Fatalf("no %q in the dialog", text)
	}
	f.u.requestClose()
	tapInDialog("Keep it open")
	if f.u.run == nil || !f.u.run.Recording() {
		t.Fatal("keeping it open stopped the session")
	}
	f.u.requestClose()
	tapInDialog("Close Assent")
	if f.u.run != nil || f.db.Unlocked() {
		t.Errorf("after Close Assent: session %v, unlocked %v", f.u.run != nil, f.db.Unlocked())
	}
	recs, err := f.db.Recordings(id)
	if err != nil || len(recs) == 0 {
		t.Fatalf("recordings of the session: %v, %v", recs, err)
	}
	for _, r := range recs {
		if gone := !r.DeletedAt.IsZero(); gone != deleted {
			t.Errorf("after Close Assent, recording %s deleted %v; the dialog said %q", r.ID, gone, says)
		}
		if deleted && r.DeleteReason != storage.ReasonUnanswered {
			t.Errorf("deleted for %q, want %q: nobody chose to delete it", r.DeleteReason, storage.ReasonUnanswered)
		}
	}
}

// With no session open, the close button quits at once.
func TestCloseButtonWithoutASessionQuits(t *testing.T) {
	u, db := newTestUI(t)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	u.Start()
	unlockToPractice(t, u)
	u.requestClose()
	if u.win.Canvas().Overlays().Top() != nil {
		t.Error("a dialog was shown with no session open")
	}
	if !u.closing.Load() || db.Unlocked() {
		t.Errorf("after the close button: closing %v, unlocked %v", u.closing.Load(), db.Unlocked())
	}
}

// chooseSooner selects the "delete sooner" choice of keepDays or the end of
// today on the client screen; it fails if it is not offered.
func chooseSooner(t *testing.T, k *kioskScreen, keepDays int, endOfToday bool) {
	t.Helper()
	for _, o := range k.soonerBy {
		if o.keepDays == keepDays && o.endOfToday == endOfToday {
			k.sooner.SetSelected(o.label)
			return
		}
	}
	t.Fatalf("no choice of %d days (end of today %v) among %v", keepDays, endOfToday, k.sooner.Options)
}
