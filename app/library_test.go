package app

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/portaudio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// librarySpeech is what the stored test recordings say.
const librarySpeech = "This session may be heard again for reflection, and by a supervisor if you agree."

// speechMP3 is the speech fixture encoded by the real LAME encoder, with
// its peaks as the recorder computes them; made once per test binary (espeak
// and LAME take a moment).
var speechMP3 struct {
	once     sync.Once
	mp3      []byte
	levels   []byte
	duration time.Duration
	err      error
}

func librarySpeechMP3(t *testing.T) ([]byte, []byte, time.Duration) {
	t.Helper()
	speechMP3.once.Do(func() {
		pcm := testmic.New(t, librarySpeech).Samples(t)
		var buf bytes.Buffer
		enc, err := lame.NewEncoder(&buf, lame.Options{InputRate: testmic.Rate})
		if err != nil {
			speechMP3.err = err
			return
		}
		if err := enc.Encode(pcm); err != nil {
			speechMP3.err = err
			return
		}
		if err := enc.Close(); err != nil {
			speechMP3.err = err
			return
		}
		speechMP3.levels = session.StoragePeaks(audio.ComputePeaks(pcm, testmic.Rate)).Levels
		speechMP3.mp3 = buf.Bytes()
		speechMP3.duration = time.Duration(len(pcm)) * time.Second / testmic.Rate
	})
	if speechMP3.err != nil {
		t.Fatal(speechMP3.err)
	}
	return speechMP3.mp3, speechMP3.levels, speechMP3.duration
}

// storeRecording stores a finished recording of the speech fixture, as
// the session loop would, for a new session of a new client labelled
// client, and returns its row.
func storeRecording(t *testing.T, db *storage.DB, client string, purposes []string, deleteOn time.Time) storage.Recording {
	t.Helper()
	return storeRecordingWith(t, db, client, purposes, slices.Contains(purposes, consent.PurposeSupervision), deleteOn)
}

// storeRecordingWith is storeRecording in a session started as the app
// starts one (session.Start) under settings that offer exactly purposes,
// and a copy for supervision when export is set: the session's stored
// policy says what was offered, as for any session the app makes. The
// recording holds the speech fixture's MP3, written as the recorder's sink
// would (storage does not look inside).
func storeRecordingWith(t *testing.T, db *storage.DB, client string, purposes []string, export bool, deleteOn time.Time) storage.Recording {
	t.Helper()
	mp3, levels, d := librarySpeechMP3(t)
	c, err := db.CreateClient(client)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range consent.StandardPurposes() {
		if err := db.SetSetting(session.SettingPurpose+sp.ID+"_offered", fmt.Sprint(slices.Contains(purposes, sp.ID))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetSetting(session.SettingSupervisionExport, fmt.Sprint(export)); err != nil {
		t.Fatal(err)
	}
	s, err := session.Start(session.Options{DB: db, Logf: t.Logf}, c, []consent.Participant{{Name: "Anna", Role: consent.RoleClient}}, consent.CollectionOnScreen)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Policy(); len(got.Purposes) != len(purposes) || got.SupervisionExport != export {
		t.Fatalf("the session offers %+v, want %v (export %v)", got, purposes, export)
	}
	w, err := db.NewRecording(s.ID(), 1, deleteOn, purposes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(mp3); err != nil {
		t.Fatal(err)
	}
	w.SetPeaks(storage.Peaks{Interval: audio.PeakInterval, Levels: levels})
	w.SetDuration(d)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Everyone recorded kept it at the end, as in a finished session.
	if err := db.ConfirmSession(s.ID(), storage.ConfirmationKept); err != nil {
		t.Fatal(err)
	}
	r, err := db.Recording(w.ID())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// unlockedClockUI is newUIWith with the practice set up and unlocked, in
// UTC so that dates do not depend on the machine's zone.
func unlockedClockUI(t *testing.T, clock *clocktest.Clock) (*UI, *storage.DB) {
	t.Helper()
	u, db := newUIWith(t, clock, nil)
	u.opt.Location = time.UTC
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	return u, db
}

// playInLibrary shows the library, chooses the recording id and plays it,
// failing the test unless it is playing.
func playInLibrary(t *testing.T, u *UI, id string) *libraryScreen {
	t.Helper()
	s := newLibraryScreen(u)
	u.show(s)
	s.list.Select(entryIndex(t, s, id))
	test.Tap(s.player.play)
	settle(u)
	if s.player.audio == nil {
		t.Fatalf("not playing: %q", s.problem.Text)
	}
	return s
}

// entryIndex is the library's row for recording id.
func entryIndex(t *testing.T, s *libraryScreen, id string) int {
	t.Helper()
	for i, e := range s.entries {
		if e.rec.ID == id {
			return i
		}
	}
	t.Fatalf("recording %s is not in the library", id)
	return -1
}

// overlayButton returns the button labelled text in the dialog on top.
func overlayButton(t *testing.T, u *UI, text string) *widget.Button {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is shown")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("the dialog has no button %q", text)
	return nil
}

func TestLibraryListsNewestFirstWithCountdown(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
	u, db := unlockedClockUI(t, clock)
	now := clock.Now()
	inTwelve := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection}, consent.DeletionDate(now, 12, false, time.UTC))
	clock.Add(time.Minute)
	tonight := storeRecording(t, db, "C.D.", []string{consent.PurposeReflection, consent.PurposeSupervision}, consent.DeletionDate(now, 1, false, time.UTC))
	clock.Add(time.Minute)
	gone := storeRecording(t, db, "E.F.", []string{consent.PurposeReflection}, consent.DeletionDate(now, 28, false, time.UTC))
	if err := db.DeleteNow(gone.ID, "recorded by mistake"); err != nil {
		t.Fatal(err)
	}

	u.win.Resize(fyne.NewSize(1000, 700))
	s := newLibraryScreen(u)
	u.show(s)
	if len(s.entries) != 3 {
		t.Fatalf("%d recordings listed, want 3", len(s.entries))
	}
	order := []string{s.entries[0].rec.ID, s.entries[1].rec.ID, s.entries[2].rec.ID}
	if order[0] != gone.ID || order[1] != tonight.ID || order[2] != inTwelve.ID {
		t.Errorf("not newest first: %v", order)
	}
	for _, c := range []struct {
		id   string
		want []string
	}{
		{inTwelve.ID, []string{"A.B.", "deleted in 12 days", "Friday 11 December 2026", "for reflection"}},
		{tonight.ID, []string{"C.D.", "deleted today at midnight", "for reflection and supervision"}},
		{gone.ID, []string{"E.F.", "deleted on Sunday 29 November 2026, recorded by mistake"}},
	} {
		e := s.entries[entryIndex(t, s, c.id)]
		got := e.title(time.UTC) + " | " + e.line(clock.Now(), time.UTC)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("row %q lacks %q", got, w)
			}
		}
	}
	// What the list shows is what the rows say.
	if !containsText(s.list, "deleted in 12 days") {
		t.Error("the list widget does not show the countdown")
	}

	// The clock moves on: the countdown follows it.
	clock.Add(11 * 24 * time.Hour)
	if got := s.entries[entryIndex(t, s, inTwelve.ID)].line(clock.Now(), time.UTC); !strings.Contains(got, "deleted today at midnight") {
		t.Errorf("eleven days later: %q", got)
	}
}

func TestLibraryCountdown(t *testing.T) {
	now := time.Date(2026, 3, 28, 22, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		deleteOn time.Time
		want     string
	}{
		{time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), "deleted today at midnight"},
		{time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC), "deleted in 2 days"},
		{time.Date(2026, 4, 9, 0, 0, 0, 0, time.UTC), "deleted in 12 days"},
		{time.Date(2026, 3, 28, 23, 15, 0, 0, time.UTC), "deleted today at 23:15"},
		{time.Date(2026, 3, 29, 9, 0, 0, 0, time.UTC), "deleted tomorrow at 09:00"},
		{now, "being deleted now"},
	} {
		if got := libraryCountdown(c.deleteOn, now, time.UTC); got != c.want {
			t.Errorf("libraryCountdown(%v) = %q, want %q", c.deleteOn, got, c.want)
		}
	}
	// Calendar days, not 24-hour periods, across a clock change.
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip(err)
	}
	at := time.Date(2026, 3, 28, 12, 0, 0, 0, london)
	if got := libraryCountdown(consent.DeletionDate(at, 2, false, london), at, london); got != "deleted in 2 days" {
		t.Errorf("across the change to summer time: %q", got)
	}
}

// TestLibraryShowsARecordedSession goes through the session loop for real
// (test microphone, LAME, storage) and finds the recording in the library
// with its waveform.
func TestLibraryShowsARecordedSession(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recordAndStop(t, 2*time.Second)
	test.Tap(k.keep)
	deleteOn := k.run.DeleteOn()

	s := newLibraryScreen(f.u)
	f.u.show(s)
	if len(s.entries) != 1 {
		t.Fatalf("%d recordings listed, want 1", len(s.entries))
	}
	e := s.entries[0]
	line := e.line(f.u.opt.Now(), f.u.opt.Location)
	for _, want := range []string{"for reflection", "deleted in 28 days", longDate(f.u, deleteOn)} {
		if !strings.Contains(line, want) {
			t.Errorf("row %q lacks %q", line, want)
		}
	}
	if !strings.HasPrefix(e.title(f.u.opt.Location), "A.B. — ") {
		t.Errorf("title %q", e.title(f.u.opt.Location))
	}
	s.list.Select(0)
	if len(s.player.wave.levels) < 20 {
		t.Fatalf("the waveform has %d levels for %v", len(s.player.wave.levels), e.rec.Duration)
	}
	if e.rec.Plays != 0 {
		t.Error("showing the library counted a play")
	}
}

// nullSpeaker is PortAudio on ALSA's null output, through the test
// microphone's ALSA configuration: the real playback path, with no sound
// card.
func nullSpeaker(t *testing.T) *portaudio.Host {
	t.Helper()
	testmic.New(t, "speaker").Setenv(t)
	host, err := portaudio.NewHost(t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	return host
}

func TestLibraryPlaysAndAudits(t *testing.T) {
	fc := clocktest.New(time.Now())
	u, db := unlockedClockUI(t, fc)
	u.opt.Speaker = nullSpeaker(t)
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection}, fc.Now().Add(72*time.Hour))
	_, _, spoken := librarySpeechMP3(t)

	s := newLibraryScreen(u)
	u.show(s)
	s.list.Select(entryIndex(t, s, rec.ID))
	if s.player.play.Disabled() {
		t.Fatalf("Play is disabled: %q", s.refusal.Text)
	}
	if r, _ := db.Recording(rec.ID); r.Plays != 0 {
		t.Fatal("choosing a recording counted a play")
	}
	test.Tap(s.player.play)
	deadline := time.Now().Add(10 * time.Second)
	for s.player.audio == nil || s.player.audio.Position() < 500*time.Millisecond {
		settle(u)
		if time.Now().After(deadline) {
			t.Fatalf("playing did not get going (problem %q)", s.problem.Text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := s.player.audio.Duration() - spoken; d < -200*time.Millisecond || d > 300*time.Millisecond {
		t.Errorf("player lasts %v for %v of speech", s.player.audio.Duration(), spoken)
	}
	time.Sleep(3 * libraryTick)
	settle(u)
	if s.player.position.Text == "0:00 / "+clock(s.player.audio.Duration()) && s.player.slider.Value == 0 {
		t.Errorf("the position is not shown: %q, slider %v", s.player.position.Text, s.player.slider.Value)
	}

	r, err := db.Recording(rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Plays != 1 {
		t.Errorf("plays = %d after one Play, want 1", r.Plays)
	}
	log, err := db.AuditLog(0, 100, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	var played int
	for _, e := range log {
		if e.Kind == storage.AuditRecordingPlayed {
			played++
		}
	}
	if played != 1 {
		t.Errorf("%d audit rows for playing, want 1", played)
	}
	if !strings.Contains(s.info.Text, "Played once") {
		t.Errorf("info %q does not show the play", s.info.Text)
	}

	// ALSA's null device takes audio as fast as it is given, so the run
	// ends within a moment: the end is shown, and Play is offered again.
	deadline = time.Now().Add(10 * time.Second)
	for s.player.audio.Playing() || s.player.play.Text != "Play" {
		settle(u)
		if time.Now().After(deadline) {
			t.Fatal("playing did not end")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.player.audio.Err(); err != nil {
		t.Fatal(err)
	}
	if want := clock(s.player.audio.Duration()) + " / " + clock(s.player.audio.Duration()); s.player.position.Text != want {
		t.Errorf("at the end the position says %q, want %q", s.player.position.Text, want)
	}
	if s.player.wave.played != 1 {
		t.Errorf("at the end the waveform shows %v played", s.player.wave.played)
	}
}

// pacedSpeaker stands in for a loudspeaker, which this machine does not
// have: its Output takes samples at the pace a device plays them (ALSA's
// null device takes them at once, so nothing could be paused there).
type pacedSpeaker struct{}

func (pacedSpeaker) OpenOutput(rate, channels int) (audio.Output, error) {
	return &pacedOutput{rate: rate, channels: channels}, nil
}

type pacedOutput struct {
	rate, channels int
	closed         bool
}

func (o *pacedOutput) Format() (int, int) { return o.rate, o.channels }

func (o *pacedOutput) Write(p []int16) error {
	if o.closed {
		return audio.ErrClosed
	}
	time.Sleep(time.Duration(len(p)/o.channels) * time.Second / time.Duration(o.rate))
	return nil
}

func (o *pacedOutput) Drain() error {
	if o.closed {
		return audio.ErrClosed
	}
	return nil
}

func (o *pacedOutput) Close() error { o.closed = true; return nil }

func TestLibraryPauseSeekAndLeave(t *testing.T) {
	fc := clocktest.New(time.Now())
	u, db := unlockedClockUI(t, fc)
	u.opt.Speaker = pacedSpeaker{}
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection}, fc.Now().Add(72*time.Hour))
	s := playInLibrary(t, u, rec.ID)
	time.Sleep(300 * time.Millisecond)
	settle(u)
	first := s.player.slider.Value
	time.Sleep(300 * time.Millisecond)
	settle(u)
	if first <= 0 || s.player.slider.Value <= first {
		t.Errorf("the slider does not follow playing: %v then %v", first, s.player.slider.Value)
	}

	// Pause, then seek by letting the slider go at one second.
	test.Tap(s.player.play)
	if s.player.audio.Playing() || s.player.play.Text != "Play" {
		t.Fatal("Pause did not pause")
	}
	s.player.slider.OnChanged(1)
	if s.player.audio.Position() == time.Second {
		t.Error("dragging sought before the slider was let go")
	}
	s.player.slider.OnChangeEnded(1)
	if got := s.player.audio.Position(); got != time.Second {
		t.Errorf("after the seek the position is %v", got)
	}
	time.Sleep(3 * libraryTick)
	settle(u)
	if !strings.HasPrefix(s.player.position.Text, "0:01 / ") || s.player.audio.Position() != time.Second {
		t.Errorf("paused at one second: label %q, position %v", s.player.position.Text, s.player.audio.Position())
	}
	// Playing on from the pause is the same opening: no second play.
	test.Tap(s.player.play)
	settle(u)
	if r, _ := db.Recording(rec.ID); r.Plays != 1 {
		t.Errorf("continuing after a pause counted another play (%d)", r.Plays)
	}

	// Leaving closes the player.
	p := s.player.audio
	test.Tap(s.back)
	if s.player.audio != nil || s.player.stopTick != nil {
		t.Error("the player is still open after Back")
	}
	if err := p.Play(); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Play on the old player: %v, want ErrClosed", err)
	}
	if _, ok := u.screen.(*practiceScreen); !ok {
		t.Errorf("after Back the screen is %T", u.screen)
	}
}

// TestLibraryClosesPlayerWhenLocked: leaving the library other than by
// Back (here the auto-lock) closes the player at the next tick.
func TestLibraryClosesPlayerWhenLocked(t *testing.T) {
	clock := clocktest.New(time.Now())
	u, db := unlockedClockUI(t, clock)
	u.opt.Speaker = pacedSpeaker{}
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeTraining}, clock.Now().Add(72*time.Hour))
	s := playInLibrary(t, u, rec.ID)
	u.Lock()
	deadline := time.Now().Add(5 * time.Second)
	for s.player.audio != nil {
		settle(u)
		if time.Now().After(deadline) {
			t.Fatal("the player stayed open after the practice was locked")
		}
		time.Sleep(libraryTick)
	}
}

func TestLibraryRefusesPlayback(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
	u, db := unlockedClockUI(t, clock)
	u.opt.Speaker = speakerNotUsed{t}
	// The app never makes a recording without a purpose its session
	// offered; its row edited by hand to claim one it never offered gains
	// nothing: nobody may listen.
	none := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection}, clock.Now().Add(72*time.Hour))
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(u.opt.DataDir, storage.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE recordings SET purposes = '["listening to music"]' WHERE id = ?`, none.ID); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	s := newLibraryScreen(u)
	u.show(s)

	t.Run("purposes edited by hand", func(t *testing.T) {
		s.list.Select(entryIndex(t, s, none.ID))
		if !s.player.play.Disabled() {
			t.Error("Play is enabled for a recording with no purpose its session offered")
		}
		if !strings.Contains(s.refusal.Text, "can't be played: no purpose its session offered") {
			t.Errorf("refusal = %q", s.refusal.Text)
		}
		s.player.open()
		settle(u)
		if r, _ := db.Recording(none.ID); r.Plays != 0 || s.player.audio != nil {
			t.Error("a recording with no purpose agreed was opened")
		}
	})
	// A database restored from a backup: recordings are kept out of
	// backups, so the file is not there. Said, not called damage.
	t.Run("not in the backup", func(t *testing.T) {
		rec := storeRecording(t, db, "E.F.", []string{consent.PurposeReflection}, clock.Now().Add(72*time.Hour))
		files, _ := filepath.Glob(filepath.Join(u.opt.DataDir, storage.RecordingsDir, rec.ID+"*"))
		for _, f := range files {
			os.Remove(f)
		}
		r, err := db.Recording(rec.ID)
		if err != nil || !r.FileMissing {
			t.Fatalf("the row of a recording whose file is gone: %+v, %v", r, err)
		}
		if got := playRefusal(db, r, speakerNotUsed{t}); got != notInBackupText {
			t.Errorf("refusal = %q", got)
		}
		_, err = db.OpenRecording(rec.ID)
		if got := playbackProblem(err); got != notInBackupText {
			t.Errorf("opening it anyway says %q", got)
		}
	})
	t.Run("no loudspeaker", func(t *testing.T) {
		rec := storeRecording(t, db, "C.D.", []string{consent.PurposeReflection}, clock.Now().Add(72*time.Hour))
		u.opt.Speaker = nil
		s := newLibraryScreen(u)
		u.show(s)
		s.list.Select(entryIndex(t, s, rec.ID))
		if !s.player.play.Disabled() || !strings.Contains(s.refusal.Text, "Playback is unavailable") {
			t.Errorf("without a speaker: disabled %v, refusal %q", s.player.play.Disabled(), s.refusal.Text)
		}
	})
}

// speakerNotUsed fails the test if anything is played.
type speakerNotUsed struct{ t *testing.T }

func (s speakerNotUsed) OpenOutput(int, int) (audio.Output, error) {
	s.t.Error("a loudspeaker was opened")
	return nil, audio.ErrNoOutputDevice
}

func TestLibraryDeleteNowNeedsAReason(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
	u, db := unlockedClockUI(t, clock)
	u.win.Resize(fyne.NewSize(900, 700))
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection}, clock.Now().Add(72*time.Hour))
	s := newLibraryScreen(u)
	u.show(s)
	s.list.Select(entryIndex(t, s, rec.ID))

	test.Tap(s.remove)
	confirm := overlayButton(t, u, "Delete now")
	test.Tap(confirm)
	if r, _ := db.Recording(rec.ID); r.State == storage.StateDeleted {
		t.Fatal("deleted without a reason")
	}
	// The core refuses an empty reason too, with a sentence.
	s.deleteChosen("  ")
	if !strings.Contains(s.problem.Text, "give a reason") {
		t.Errorf("problem = %q", s.problem.Text)
	}

	test.Type(s.deleteReason, "the client asked in session")
	test.Tap(confirm)
	r, err := db.Recording(rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != storage.StateDeleted || r.DeleteReason != "the client asked in session" {
		t.Fatalf("after Delete now: state %v, reason %q", r.State, r.DeleteReason)
	}
	if _, err := db.OpenRecording(rec.ID); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("opening the deleted recording: %v, want ErrDeleted", err)
	}
	if !strings.Contains(s.info.Text, "Deleted on Sunday 29 November 2026: the client asked in session") {
		t.Errorf("info = %q", s.info.Text)
	}
	line := s.entries[entryIndex(t, s, rec.ID)].line(clock.Now(), time.UTC)
	if !strings.Contains(line, "deleted on Sunday 29 November 2026, the client asked in session") {
		t.Errorf("row = %q", line)
	}
	if containsButton(s.detail, "Delete now…") {
		t.Error("a deleted recording still offers Delete now")
	}
}

// containsButton reports whether a button labelled text is under c.
func containsButton(c fyne.CanvasObject, text string) bool {
	for _, o := range test.LaidOutObjects(c) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return true
		}
	}
	return false
}
