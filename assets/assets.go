// Package assets holds the files Assent embeds in its binary: the icon the
// project draws itself (icon.svg is the source; icon.png is rendered from it
// with `rsvg-convert -w 512 -h 512 icon.svg -o icon.png`).
//
// The package has no dependencies so that every other package may use it.
package assets

import _ "embed"

// IconPNG is the application icon, 512×512 PNG. cmd/assent/FyneApp.toml names the same
// file so that `fyne package` and `go build` give the same icon.
//
//go:embed icon.png
var IconPNG []byte

// IconSVG is the vector source of IconPNG.
//
//go:embed icon.svg
var IconSVG []byte

// TrayRecordingPNG is the system-tray icon shown while recording (64×64,
// rendered from tray-recording.svg); otherwise the tray shows IconPNG.
//
//go:embed tray-recording.png
var TrayRecordingPNG []byte
