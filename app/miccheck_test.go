package app

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// testMics stands in for audio/portaudio's Host (whose own tests open the
// ALSA test microphone): named PCMMics, counted.
type testMics struct {
	names   []string
	mics    map[string]*countingMic
	plugged []string // appear in names at the next Rescan
	rescans int
}

// OpenMeter counts a level check's open like a recording's (countingMic
// is declared with the session tests): the PCMMics it wraps are Meterable,
// as the real microphone is.
func (m *countingMic) OpenMeter(check consent.CheckGrant) (*audio.Meter, error) {
	m.opened.Add(1)
	return m.Mic.(audio.Meterable).OpenMeter(check)
}

func (m *testMics) Inputs() ([]string, error) { return m.names, nil }
func (m *testMics) Rescan() error {
	m.rescans++
	m.names, m.plugged = append(m.names, m.plugged...), nil
	return nil
}
func (m *testMics) Mic(name string) audio.Mic {
	if c, ok := m.mics[name]; ok {
		return c
	}
	return nil
}

const (
	speechMic = "USB speech microphone"
	silentMic = "Built-in microphone (muted)"
)

// micSettingsUI is an unlocked settings screen with two microphones: the
// system default hears silence, the other the speech fixture.
func micSettingsUI(t *testing.T) (*UI, *storage.DB, *settingsScreen, *testMics) {
	t.Helper()
	fix := testmic.New(t, "Testing, testing: can the microphone hear me?")
	pcm, err := os.ReadFile(fix.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	mics := &testMics{names: []string{silentMic, speechMic}, mics: map[string]*countingMic{
		silentMic: {Mic: audio.PCMMic{R: bytes.NewReader(make([]byte, 4*audio.SpeechRate))}},
		speechMic: {Mic: audio.PCMMic{R: bytes.NewReader(pcm)}},
	}}
	u, db := newTestUI(t)
	u.opt.Microphones = mics
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	s := newSettingsScreen(u)
	u.show(s)
	return u, db, s, mics
}

// runCheck taps "Test the microphone" and waits for the test to end by
// itself.
func runCheck(t *testing.T, u *UI, s *settingsScreen) {
	t.Helper()
	test.Tap(s.mic.test)
	c := u.check
	if c == nil {
		t.Fatalf("the test did not start: %q", s.mic.status.Text)
	}
	if s.mic.test.Text != "Stop the test" || !s.mic.meter.Visible() {
		t.Errorf("while testing: button %q, meter shown %v", s.mic.test.Text, s.mic.meter.Visible())
	}
	c.mon.Wait()
	u.Wait() // the audit row is written in the background
	settle(u)
	if u.check != nil {
		t.Error("the test is still marked as running")
	}
}

func micAudits(t *testing.T, db *storage.DB) []storage.AuditEntry {
	t.Helper()
	log, err := db.AuditOfKind(AuditMicChecked, 0, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// The level test hears the chosen microphone, says what it heard, writes an
// audit row, and keeps nothing: no recording row, no file.
func TestMicCheckShowsTheLevelAndKeepsNothing(t *testing.T) {
	u, db, s, mics := micSettingsUI(t)
	if s.mic.choose == nil || s.mic.choose.Selected != defaultInput {
		t.Fatalf("the list of microphones: %+v", s.mic.choose)
	}
	s.mic.choose.SetSelected(speechMic)
	runCheck(t, u, s)
	if !strings.HasPrefix(s.mic.status.Text, "The microphone works: loudest ") || !strings.Contains(s.mic.status.Text, "Nothing was recorded or kept") {
		t.Errorf("after testing the speech microphone: %q", s.mic.status.Text)
	}
	if n := mics.mics[speechMic].opened.Load(); n != 1 {
		t.Errorf("the speech microphone was opened %d times, want 1", n)
	}
	if n := mics.mics[silentMic].opened.Load(); n != 0 {
		t.Errorf("the default microphone was opened %d times during the other's test", n)
	}

	s.mic.choose.SetSelected(defaultInput)
	runCheck(t, u, s)
	if !strings.Contains(s.mic.status.Text, "heard almost nothing") {
		t.Errorf("after testing the muted default: %q", s.mic.status.Text)
	}

	audits := micAudits(t, db)
	if len(audits) != 2 || !strings.Contains(audits[0].Detail, speechMic) || !strings.Contains(audits[0].Detail, "nothing kept") ||
		!strings.Contains(audits[1].Detail, "heard almost nothing") {
		t.Errorf("audit rows: %+v", audits)
	}
	st, err := db.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.LiveRecordings != 0 {
		t.Errorf("%d recordings after two level tests", st.LiveRecordings)
	}
	files, _ := filepath.Glob(filepath.Join(u.opt.DataDir, storage.RecordingsDir, "*.rec"))
	if len(files) != 0 {
		t.Errorf("recordings/ holds %d files after two level tests", len(files))
	}
}

// Leaving the settings screen, or locking, stops a test under way: the
// microphone is closed and the test is on record.
func TestMicCheckStopsWhenTheScreenChanges(t *testing.T) {
	for _, how := range []string{"Back", "Lock"} {
		t.Run(how, func(t *testing.T) {
			u, db, s, mics := micSettingsUI(t)
			endless := &countingMic{Mic: audio.PCMMic{R: &testmic.PacedReader{PCM: make([]byte, 100)}}}
			mics.mics[speechMic] = endless
			s.mic.choose.SetSelected(speechMic)
			test.Tap(s.mic.test)
			c := u.check
			if c == nil {
				t.Fatalf("the test did not start: %q", s.mic.status.Text)
			}
			if how == "Back" {
				test.Tap(s.back)
			} else {
				u.Lock()
			}
			select {
			case <-c.mon.Done():
			default:
				t.Fatal("the microphone is still open after leaving the screen")
			}
			u.Wait()
			settle(u)
			if u.check != nil {
				t.Error("the test is still marked as running")
			}
			if len(micAudits(t, db)) != 1 {
				t.Error("the stopped test is not in the audit log")
			}
		})
	}
}

// The microphone chosen is saved at once and is the one sessions record
// from (choosing the default again is saved as ""); one
// that is no longer connected gives way to the default, and the settings
// say so.
func TestChosenMicrophoneIsUsed(t *testing.T) {
	u, db, s, _ := micSettingsUI(t)
	if got := u.mic(); got.name != silentMic || got.missing != "" {
		t.Errorf("before choosing: %+v, want the default", got)
	}
	s.mic.choose.SetSelected(speechMic)
	if s.mic.status.Text != "Saved: sessions record from "+speechMic+"." {
		t.Errorf("after choosing: %q", s.mic.status.Text)
	}
	if v, _, _ := db.Setting(settingInputDevice); v != speechMic {
		t.Errorf("saved microphone %q", v)
	}
	if got := u.mic(); got.name != speechMic || got.mic == nil || got.isDefault {
		t.Errorf("after choosing: %+v", got)
	}
	if l := micLine(u.mic()); l.Text != "Microphone: "+speechMic+"." {
		t.Errorf("the session screen says %q", l.Text)
	}
	s.mic.choose.SetSelected(defaultInput)
	if v, ok, _ := db.Setting(settingInputDevice); v != "" || !ok {
		t.Errorf("after choosing the default again: %q, %v", v, ok)
	}
	if got := u.mic(); !got.isDefault || got.name != silentMic {
		t.Errorf("after choosing the default again: %+v", got)
	}

	if err := db.SetSetting(settingInputDevice, "A microphone since unplugged"); err != nil {
		t.Fatal(err)
	}
	if got := u.mic(); got.name != silentMic || got.missing != "A microphone since unplugged" {
		t.Errorf("with the chosen one gone: %+v", got)
	}
	s = newSettingsScreen(u)
	u.show(s)
	if !strings.Contains(s.mic.status.Text, "A microphone since unplugged, is not connected") || s.mic.choose.Selected != defaultInput {
		t.Errorf("settings with the chosen one gone: %q, selected %q", s.mic.status.Text, s.mic.choose.Selected)
	}

	if l := micLine(u.mic()); l.Text != "Microphone: the system's default. The one chosen in the settings, A microphone since unplugged, is not connected." {
		t.Errorf("the session screen says %q", l.Text)
	}

	u.opt.Microphones = &testMics{}
	if got := u.mic(); got.mic != nil {
		t.Errorf("with no microphone at all: %+v", got)
	}
}

// A session records from the microphone chosen in the settings, not the
// system default.
func TestSessionRecordsFromTheChosenMicrophone(t *testing.T) {
	f := newSessionFixture(t)
	other := &countingMic{Mic: audio.PCMMic{R: &testmic.PacedReader{PCM: make([]byte, 100), Speed: 4}}}
	f.u.opt.Microphones = &testMics{names: []string{silentMic, speechMic}, mics: map[string]*countingMic{
		silentMic: other,
		speechMic: f.mic,
	}}
	if err := f.db.SetSetting(settingInputDevice, speechMic); err != nil {
		t.Fatal(err)
	}
	k := f.recordAndStop(t, time.Second)
	if n := f.mic.opened.Load(); n != 1 {
		t.Errorf("the chosen microphone was opened %d times, want 1", n)
	}
	if n := other.opened.Load(); n != 0 {
		t.Errorf("the default microphone was opened %d times", n)
	}
	test.Tap(k.keep)
	settle(f.u)
}

// A microphone plugged in after Assent started is found when the settings
// open, and when a session is started.
func TestMicrophonePluggedInLater(t *testing.T) {
	u, db, _, mics := micSettingsUI(t)
	usb := "USB microphone plugged in later"
	mics.mics[usb] = &countingMic{Mic: audio.PCMMic{R: bytes.NewReader(make([]byte, 100))}}
	mics.plugged = []string{usb}
	s := newSettingsScreen(u)
	u.show(s)
	if !slices.Contains(s.mic.choose.Options, usb) {
		t.Fatalf("after opening the settings the list is %v", s.mic.choose.Options)
	}
	s.mic.choose.SetSelected(usb)
	if got := u.mic(); got.name != usb {
		t.Errorf("sessions would use %+v", got)
	}

	// Unplugged, and plugged in again before the next session.
	mics.names = mics.names[:2]
	if got := u.mic(); got.missing != usb {
		t.Errorf("with it unplugged: %+v", got)
	}
	mics.plugged = []string{usb}
	c, err := db.CreateClient("C.D.")
	if err != nil {
		t.Fatal(err)
	}
	newStartScreen(u, c)
	if got := u.mic(); got.name != usb || got.missing != "" {
		t.Errorf("after starting a session: %+v", got)
	}
}
