package app

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
)

// Microphones is the choice of microphones: audio/portaudio's Host in the
// real program.
type Microphones interface {
	// Inputs names the microphones there are, the system's default first;
	// none (and no error) when there is no microphone.
	Inputs() ([]string, error)
	// Mic is the microphone called name, one of Inputs.
	Mic(name string) audio.Mic
	// Rescan looks again for microphones (one plugged in since the
	// start); it fails, changing nothing, while a device is in use.
	Rescan() error
}

// lookForMicrophones has the system look again for microphones, so that
// one plugged in after Assent started can be chosen and used. The settings
// screen and the start of a session call it, when nothing is using a
// device.
func (u *UI) lookForMicrophones() {
	if u.opt.Microphones == nil || u.check != nil || (u.run != nil && u.run.Recording()) {
		return
	}
	if err := u.opt.Microphones.Rescan(); err != nil {
		u.opt.Logf("looking for microphones again: %v", err)
	}
}

// settingInputDevice is the microphone chosen on the settings screen, by
// the name Microphones.Inputs gives; absent or "" means the system default.
const settingInputDevice = "input_device"

// AuditMicChecked is the audit kind of a level test on the settings screen.
const AuditMicChecked = "microphone.checked"

// micChoice is the microphone a session would use now.
type micChoice struct {
	mic audio.Mic // nil: there is no microphone
	// name is the device's name, one of Microphones.Inputs.
	name string
	// isDefault: it is the system's default, none other being chosen (or
	// the chosen one being missing).
	isDefault bool
	// missing is the chosen microphone's name when it is not connected
	// and the default is used instead.
	missing string
}

// mic resolves the microphone to use: the one chosen in the settings if it
// is connected, else the system default; none when Options.Microphones is
// nil or lists none.
func (u *UI) mic() micChoice {
	if u.opt.Microphones == nil {
		return micChoice{}
	}
	names, err := u.opt.Microphones.Inputs()
	if err != nil {
		u.opt.Logf("listing microphones: %v", err)
	}
	if len(names) == 0 {
		return micChoice{}
	}
	chosen, _, err := u.db.Setting(settingInputDevice)
	if err != nil {
		u.opt.Logf("reading the chosen microphone: %v", err)
	}
	switch {
	case chosen == "":
		return micChoice{mic: u.opt.Microphones.Mic(names[0]), name: names[0], isDefault: true}
	case slices.Contains(names, chosen):
		return micChoice{mic: u.opt.Microphones.Mic(chosen), name: chosen}
	}
	u.opt.Logf("the chosen microphone %q is not connected; using %q", chosen, names[0])
	return micChoice{mic: u.opt.Microphones.Mic(names[0]), name: names[0], isDefault: true, missing: chosen}
}

// defaultInput is what the settings' list calls the system default.
const defaultInput = "The system's default microphone"

// micSection is the settings screen's microphone part: which microphone
// sessions use, and a level test that keeps nothing.
type micSection struct {
	ui     *UI
	choose *widget.Select // nil when there is no choice to make
	test   *widget.Button
	meter  *widget.ProgressBar
	status *widget.Label
	about  *widget.Label
}

func newMicSection(u *UI) *micSection {
	m := &micSection{ui: u, status: wrapped(""), meter: widget.NewProgressBar()}
	m.meter.TextFormatter = func() string { return "sound level" }
	m.meter.Hide()
	m.test = widget.NewButton("Test the microphone", m.toggle)
	now := u.mic()
	switch {
	case now.mic == nil:
		m.about = wrapped("No microphone found. Sessions can still be kept as notes only. Connect one, then open the settings again.")
		m.test.Disable()
	default:
		names, _ := u.opt.Microphones.Inputs()
		m.about = wrapped("Sessions record from the microphone chosen here.")
		m.choose = widget.NewSelect(append([]string{defaultInput}, names...), nil)
		chosen, _, _ := u.db.Setting(settingInputDevice)
		if chosen == "" || !slices.Contains(names, chosen) {
			m.choose.SetSelected(defaultInput)
		} else {
			m.choose.SetSelected(chosen)
		}
		m.choose.OnChanged = func(string) { m.save() }
		if now.missing != "" {
			m.status.SetText(fmt.Sprintf("The chosen microphone, %s, is not connected: sessions use the system's default until it is (Assent looks again when the settings open and when a session starts).", now.missing))
		}
	}
	return m
}

func (m *micSection) content() []fyne.CanvasObject {
	out := []fyne.CanvasObject{headingLine("Microphone"), m.about}
	if m.choose != nil {
		out = append(out, m.choose)
	}
	return append(out,
		container.NewHBox(m.test), m.meter, m.status,
		settingsHint(fmt.Sprintf("The test listens for %d seconds, or until you stop it, and shows only the level: nothing is recorded or kept, and it is noted in the log. Do it before the client is in the room.",
			int(audio.DefaultCheckDuration/time.Second))))
}

// save keeps the microphone just chosen: sessions started from now on
// record from it.
func (m *micSection) save() {
	m.ui.touch()
	name, _ := m.setting()
	if err := m.ui.db.SetSetting(settingInputDevice, name); err != nil {
		m.ui.opt.Logf("saving the chosen microphone: %v", err)
		m.status.SetText("The choice could not be saved. Please try again; see the log if it happens again.")
		return
	}
	if name == "" {
		name = "the system's default microphone"
	}
	m.status.SetText("Saved: sessions record from " + name + ".")
}

// setting is the chosen microphone ("" for the default), and whether there
// is a choice at all.
func (m *micSection) setting() (string, bool) {
	if m.choose == nil {
		return "", false
	}
	if m.choose.Selected == defaultInput {
		return "", true
	}
	return m.choose.Selected, true
}

// selected is the microphone the test should hear: the one selected in the
// list, saved or not.
func (m *micSection) selected() (audio.Mic, string) {
	if m.choose == nil {
		c := m.ui.mic()
		return c.mic, c.name
	}
	names, _ := m.ui.opt.Microphones.Inputs()
	name, _ := m.setting()
	if name == "" && len(names) > 0 {
		name = names[0]
	}
	if !slices.Contains(names, name) {
		return nil, name
	}
	return m.ui.opt.Microphones.Mic(name), name
}

// toggle starts the level test, or stops the one running.
func (m *micSection) toggle() {
	m.ui.touch()
	if m.ui.check != nil {
		m.ui.stopMicCheck()
		return
	}
	if m.ui.run != nil { // a client may be in the room: the check is for before
		m.status.SetText("A session is open. Test the microphone before the session, with nobody else in the room.")
		return
	}
	mic, name := m.selected()
	if mic == nil {
		m.status.SetText(fmt.Sprintf("%s is not connected.", name))
		return
	}
	meterable, ok := mic.(audio.Meterable)
	if !ok { // it can record, but not be opened for levels only
		m.ui.opt.Logf("microphone test of %q: %T cannot be opened for a level check", name, mic)
		m.status.SetText(micOpenFailed)
		return
	}
	c := &micCheckRun{section: m, name: name, check: consent.NewMicCheck(m.ui.opt.Now())}
	mon, err := audio.StartMonitor(c.check.Grant(), meterable, audio.MonitorOptions{
		OnLevel: c.level,
		OnEnd:   c.ended,
	})
	if err != nil {
		c.check.Stop()
		m.ui.opt.Logf("microphone test of %q: %v", name, err)
		m.status.SetText(micOpenFailed)
		return
	}
	c.mon = mon
	m.ui.check = c
	m.test.SetText("Stop the test")
	m.meter.SetValue(0)
	m.meter.Show()
	m.status.SetText("Listening. Speak as you would in a session and watch the level. Nothing is recorded or kept.")
}

// micOpenFailed is said when the level test cannot open the microphone.
const micOpenFailed = "The microphone could not be opened. Check that it is connected and not in use by another program; see the log for details."

// micCheckRun is a level test under way.
type micCheckRun struct {
	section *micSection
	name    string
	check   *consent.MicCheck
	mon     *audio.Monitor

	mu      sync.Mutex
	loudest float64 // peak dBFS heard so far
	heard   bool
}

// level takes a Level from the capture goroutine.
func (c *micCheckRun) level(l audio.Level) {
	c.mu.Lock()
	if !c.heard || l.Peak > c.loudest {
		c.loudest, c.heard = l.Peak, true
	}
	c.mu.Unlock()
	c.section.ui.do(func() { c.section.meter.SetValue(meterValue(l)) })
}

// quietPeak is the loudest peak, in dBFS, below which a test says the
// microphone heard nothing: room noise, or a muted input.
const quietPeak = -50.0

// ended runs on the monitor's goroutine once the microphone is closed: it
// starts the audit row's write (Shutdown's caller waits for it, so a test
// is on record even if the app quits meanwhile) and hands the outcome to
// the screen.
func (c *micCheckRun) ended(e audio.End) {
	u := c.section.ui
	c.check.Stop()
	c.mu.Lock()
	loudest, heard := c.loudest, c.heard
	c.mu.Unlock()
	var outcome, say string
	switch {
	case e.Reason == audio.EndSourceFailed:
		u.opt.Logf("microphone test of %q: %v", c.name, e.Err)
		outcome = "the microphone failed"
		say = "The microphone stopped working during the test. Check that it is connected; see the log for details."
	case !heard || loudest < quietPeak:
		outcome = "heard almost nothing"
		say = fmt.Sprintf("The microphone heard almost nothing (loudest %.0f dBFS). Check that it is connected, switched on and not muted, then test again.", max(loudest, audio.MinDBFS))
	default:
		outcome = fmt.Sprintf("loudest %.0f dBFS", loudest)
		say = fmt.Sprintf("The microphone works: loudest %.0f dBFS. Nothing was recorded or kept.", loudest)
	}
	detail := fmt.Sprintf("level test of %q for %s: %s; nothing kept", c.name, e.Captured.Round(100*time.Millisecond), outcome)
	// The audit row is written in the background: the microphone is
	// already closed, and a busy database must not hold up the screen.
	u.background(func() error { return u.db.Audit(AuditMicChecked, detail) }, func(err error) {
		if err != nil {
			u.opt.Logf("audit of the microphone test: %v", err)
		}
	})
	u.do(func() {
		if u.check == c {
			u.check = nil
		}
		m := c.section
		m.test.SetText("Test the microphone")
		m.meter.Hide()
		m.status.SetText(say)
	})
}

// stopMicCheck stops a level test under way, if any, and waits for the
// microphone to close.
func (u *UI) stopMicCheck() {
	c := u.check
	if c == nil {
		return
	}
	u.check = nil
	c.check.Stop()
	c.mon.Stop()
}

// micLine tells the therapist, on the session screen, which microphone the
// session would record from.
func micLine(c micChoice) *widget.Label {
	switch {
	case c.mic == nil:
		return wrapped("No microphone: this session can be kept as notes only.")
	case c.missing != "":
		return wrapped(fmt.Sprintf("Microphone: the system's default. The one chosen in the settings, %s, is not connected.", c.missing))
	case c.name != "" && !c.isDefault:
		return wrapped("Microphone: " + c.name + ".")
	}
	return wrapped("Microphone: the system's default.")
}
