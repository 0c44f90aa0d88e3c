package main

import "fyne.io/fyne/v2"

// calmApp is the Fyne app as its widgets see it (fyne.CurrentApp): the
// same in everything but its settings, which turn animations off. A
// focused entry's blinking cursor otherwise redraws the whole window
// several times a second while nobody types (about 5 % of a core on the
// lock screen under software rendering, measured by BenchmarkQuiet), and
// Fyne offers no switch for one app other than a build tag
// (no_animations) that every build would have to remember. The cursor
// stays, steady; buttons lose their ripple. Progress bars still move.
type calmApp struct {
	fyne.App
	settings *calmSettings
}

// newCalmApp returns a with animations off.
func newCalmApp(a fyne.App) *calmApp {
	return &calmApp{App: a, settings: &calmSettings{a.Settings()}}
}

// Settings are the app's, with animations off. (Widgets ask for them on
// every draw: they are made once.)
func (a *calmApp) Settings() fyne.Settings { return a.settings }

// calmSettings are Fyne's settings with ShowAnimations false.
type calmSettings struct{ fyne.Settings }

// ShowAnimations is false: nothing on screen moves by itself.
func (*calmSettings) ShowAnimations() bool { return false }
