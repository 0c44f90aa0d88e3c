package app

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// trayApp is Fyne's test app with a system tray. test.NewTempApp has none
// (Fyne v2.7.1's test app does not implement desktop.App), and a real tray
// needs a desktop session, so this fake adds desktop.App's three methods
// and keeps what a desktop would show: the labels are taken when a menu is
// set, as Fyne's own tray reads them (a label changed afterwards is not
// shown until the menu is set again).
type trayApp struct {
	fyne.App
	menu   *fyne.Menu
	shown  []string // the menu's labels as last set
	icon   fyne.Resource
	icons  int // how many times an icon was set
	window fyne.Window
	quit   bool // Quit was called
}

var _ desktop.App = (*trayApp)(nil)

func newTrayApp(t *testing.T) *trayApp { return &trayApp{App: test.NewTempApp(t)} }

// SetSystemTrayMenu keeps m and the labels it shows now.
func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu) {
	a.menu, a.shown = m, nil
	for _, it := range m.Items {
		a.shown = append(a.shown, it.Label)
	}
}

// SetSystemTrayIcon keeps r, and counts.
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icon, a.icons = r, a.icons+1 }

// SetSystemTrayWindow keeps w.
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.window = w }

// Quit notes that the app was asked to end (the test app's does nothing).
func (a *trayApp) Quit() { a.quit = true }

// item is the tray menu's item labelled label.
func (a *trayApp) item(t *testing.T, label string) *fyne.MenuItem {
	t.Helper()
	if a.menu == nil {
		t.Fatal("no tray menu was set")
	}
	for _, it := range a.menu.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("no %q in the tray menu %q", label, a.shown)
	return nil
}

// withSessionBus makes newTray's check for a desktop session pass: the
// fake never speaks D-Bus.
func withSessionBus(t *testing.T) { t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent") }

func TestTrayNoneWithoutADesktop(t *testing.T) {
	withSessionBus(t)
	if tr := newTray(test.NewTempApp(t), func() {}, func() {}); tr != nil {
		t.Error("a tray for an app without a system tray")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	a := newTrayApp(t)
	if tr := newTray(a, func() {}, func() {}); tr != nil || a.menu != nil || a.icon != nil {
		t.Error("a tray was started on Linux without a session bus (Fyne's systray crashes at quit then)")
	}
	var none *tray
	none.update(true) // no tray: nothing to do, and no panic
}

func TestTrayShowsRecordingAndOffersShowAndQuit(t *testing.T) {
	withSessionBus(t)
	a := newTrayApp(t)
	var shows, quits int
	tr := newTray(a, func() { shows++ }, func() { quits++ })
	if tr == nil {
		t.Fatal("no tray for a desktop app")
	}
	if want := []string{trayIdleText, "Show Assent", "", "Quit"}; !slices.Equal(a.shown, want) {
		t.Errorf("the tray menu shows %q, want %q", a.shown, want)
	}
	if a.icon == nil || a.icon.Name() != "assent.png" {
		t.Errorf("the icon is %v, want the idle one", a.icon)
	}
	if !a.item(t, trayIdleText).Disabled {
		t.Error("the status line can be tapped")
	}

	a.item(t, "Show Assent").Action()
	if shows != 1 || quits != 0 {
		t.Errorf("Show Assent: %d shows, %d quits", shows, quits)
	}
	quit := a.item(t, "Quit")
	if !quit.IsQuit {
		t.Error("Quit is not marked as the quit item: Fyne would add its own, which does not end the session")
	}
	quit.Action()
	if quits != 1 {
		t.Errorf("Quit: %d quits", quits)
	}

	tr.update(true)
	if a.icon.Name() != "assent-recording.png" || a.shown[0] != trayRecordingText {
		t.Errorf("recording: icon %s, status %q", a.icon.Name(), a.shown[0])
	}
	icons := a.icons
	tr.update(true)
	if a.icons != icons {
		t.Error("the icon was set again though nothing changed")
	}
	tr.update(false)
	if a.icon.Name() != "assent.png" || a.shown[0] != trayIdleText {
		t.Errorf("stopped: icon %s, status %q", a.icon.Name(), a.shown[0])
	}
}

// TestTrayFollowsTheSession: the UI starts the tray, which follows the
// microphone through a session; its Quit ends the session as Ctrl+Q does,
// after the passphrase when a client screen is up.
func TestTrayFollowsTheSession(t *testing.T) {
	withSessionBus(t)
	a := newTrayApp(t)
	f := newSessionFixtureOn(t, a)
	if f.u.tray == nil || a.menu == nil {
		t.Fatal("Start made no tray")
	}
	k := f.recording(t, 500*time.Millisecond)
	if a.icon.Name() != "assent-recording.png" || a.shown[0] != trayRecordingText {
		t.Errorf("while recording: icon %s, status %q", a.icon.Name(), a.shown[0])
	}
	test.Tap(k.stop)
	settle(f.u)
	if a.icon.Name() != "assent.png" || a.shown[0] != trayIdleText {
		t.Errorf("after Stop: icon %s, status %q", a.icon.Name(), a.shown[0])
	}

	id := k.run.ID()
	// The client screen is up: the tray's Quit asks for the passphrase.
	a.item(t, "Quit").Action()
	if a.quit {
		t.Fatal("the tray's Quit ended the session from the client screen without the passphrase")
	}
	passphraseInDialog(t, f.u, goodPassphrase)
	if !a.quit {
		t.Error("the tray's Quit did not end the app")
	}
	if f.u.run != nil || f.db.Unlocked() {
		t.Errorf("after the tray's Quit: session under way %v, keys in memory %v", f.u.run != nil, f.db.Unlocked())
	}
	if open, _ := f.db.OpenSessions(); len(open) != 0 {
		t.Errorf("session %s: %d sessions still open after the tray's Quit", id, len(open))
	}
}
