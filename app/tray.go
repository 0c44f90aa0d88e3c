package app

import (
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/assent-recorder/assent/assets"
)

// tray is the system-tray icon, where the desktop has one: it shows
// whether Assent is recording, so the therapist can tell at a glance even
// when the window is hidden.
type tray struct {
	desk      desktop.App
	idle, rec fyne.Resource
	menu      *fyne.Menu
	status    *fyne.MenuItem // the menu's first line: recording or not
	recording bool
	set       bool
}

// newTray returns the tray for a, or nil when a has no tray (tests, some
// desktops). On Linux the tray speaks D-Bus: without a session bus there is
// no tray to show, and Fyne's systray (v2.7.1) then crashes at quit, so it
// is not started at all.
func newTray(a fyne.App, show, quit func()) *tray {
	desk, ok := a.(desktop.App)
	if !ok {
		return nil
	}
	if runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return nil
	}
	t := &tray{
		desk: desk,
		idle: fyne.NewStaticResource("assent.png", assets.IconPNG),
		rec:  fyne.NewStaticResource("assent-recording.png", assets.TrayRecordingPNG),
	}
	t.status = fyne.NewMenuItem(trayIdleText, nil)
	t.status.Disabled = true
	// Fyne adds a Quit that ends the loop directly unless the menu has its
	// own: this one ends the session first.
	quitItem := fyne.NewMenuItem("Quit", quit)
	quitItem.IsQuit = true
	t.menu = fyne.NewMenu("Assent", t.status, fyne.NewMenuItem("Show Assent", show), fyne.NewMenuItemSeparator(), quitItem)
	desk.SetSystemTrayMenu(t.menu)
	desk.SetSystemTrayIcon(t.idle)
	t.set = true
	return t
}

const (
	trayIdleText      = "Not recording"
	trayRecordingText = "● Recording"
)

// update shows whether the microphone is on, in the icon and in the
// menu's first line. The menu is set again: Fyne's tray reads the labels
// only when a menu is set.
func (t *tray) update(recording bool) {
	if t == nil || (t.set && recording == t.recording) {
		return
	}
	t.recording, t.set = recording, true
	if recording {
		t.status.Label = trayRecordingText
		t.desk.SetSystemTrayIcon(t.rec)
	} else {
		t.status.Label = trayIdleText
		t.desk.SetSystemTrayIcon(t.idle)
	}
	t.desk.SetSystemTrayMenu(t.menu)
}
