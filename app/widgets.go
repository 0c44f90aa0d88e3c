package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bigButton is a button for the client screen: tall, and pressed with
// Enter as well as Space, so that the screen works by keyboard alone.
type bigButton struct {
	widget.Button
}

func newBigButton(label string, tapped func()) *bigButton {
	b := &bigButton{}
	b.Text = label
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter or Return too.
func (b *bigButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
		return
	}
	b.Button.TypedKey(ev)
}

// MinSize makes the button at least 64 units tall: easy to hit on a touch
// screen from across a table.
func (b *bigButton) MinSize() fyne.Size {
	return b.Button.MinSize().Max(fyne.NewSize(0, 64))
}

// largeTheme is the client screen's theme: the same colours, larger text
// and padding, readable from across the room.
type largeTheme struct{ fyne.Theme }

// Size enlarges text by half and padding by a quarter.
func (t largeTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameInlineIcon:
		return s * 1.5
	case theme.SizeNamePadding, theme.SizeNameInnerPadding:
		return s * 1.25
	}
	return s
}

// Color is the underlying theme's.
func (t largeTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, v)
}

// recordingRed is the colour of the recording dot.
var recordingRed = color.NRGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff}
