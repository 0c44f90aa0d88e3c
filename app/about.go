package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// aboutItem is the menu's "About Assent": which version this is and the
// commit it was built from (Options.Version, as `assent --version` says).
func (u *UI) aboutItem() *fyne.MenuItem {
	return fyne.NewMenuItem("About Assent", u.showAbout)
}

// showAbout shows the version in a dialog over the current screen.
func (u *UI) showAbout() {
	v := u.opt.Version
	if v == "" {
		v = "unknown"
	}
	dialog.ShowInformation("About Assent", "Assent "+v+"\n\nRecords therapy sessions only with the client's assent, and deletes them on the date shown.", u.win)
}
