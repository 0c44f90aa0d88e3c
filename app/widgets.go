package app

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
)

// The small widget builders every screen shares: labels, headings, the
// page layouts, the buttons, and the client screen's large type.

// Widths of the page columns, in Fyne units.
const (
	// pageWidth is a therapist's page of one column (set-up, unlock, a
	// new session).
	pageWidth = 560
	// clientWidth is the column of the client screens: the kiosk, the
	// end-of-session summary, the client's record shown to the client.
	clientWidth = 760
)

// wrapped is a label whose text wraps at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// labels makes one wrapped label of each line.
func labels(lines []string) []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, len(lines))
	for i, l := range lines {
		out[i] = wrapped(l)
	}
	return out
}

// bold is a label in bold type, on one line.
func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// boldWrapped is a label in bold type that wraps at word boundaries.
func boldWrapped(text string) *widget.Label {
	l := bold(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// heading is a screen's or a part's title, in the heading size; it wraps.
func heading(text string) *widget.Label {
	l := boldWrapped(text)
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// headingLine is a heading that stays on one line, for rows.
func headingLine(text string) *widget.Label {
	l := heading(text)
	l.Wrapping = fyne.TextWrapOff
	return l
}

// newProblemLabel returns the label where a screen says what went wrong.
func newProblemLabel() *widget.Label {
	l := wrapped("")
	l.Importance = widget.DangerImportance
	return l
}

// dataFolderLabel tells the therapist where the practice's data lives.
func dataFolderLabel(dir string) fyne.CanvasObject {
	if dir == "" {
		return layout.NewSpacer()
	}
	l := widget.NewLabel("Data folder: " + dir)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapBreak
	return l
}

// pageLayout centres a column of widgets under a heading, at a readable width.
func pageLayout(title string, parts ...fyne.CanvasObject) fyne.CanvasObject {
	col := container.NewVBox(append([]fyne.CanvasObject{headingLine(title)}, parts...)...)
	return centred(pageWidth, col)
}

// centred puts o in the middle, no wider than width.
func centred(width float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewCenter(container.New(&maxWidth{width: width}, o))
}

// clientColumn is o centred at the client screens' width.
func clientColumn(o fyne.CanvasObject) fyne.CanvasObject { return centred(clientWidth, o) }

// maxWidth lays out its objects stacked, no wider than width.
type maxWidth struct{ width float32 }

// MinSize is width wide and as tall as the tallest object.
func (m *maxWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(m.width, 0)
	for _, o := range objects {
		s.Height = float32(math.Max(float64(s.Height), float64(o.MinSize().Height)))
	}
	return s
}

// Layout gives every object the whole size.
func (m *maxWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

// actionButton is a button whose work is slow: while it runs the button is
// disabled and a progress bar shows that something is happening.
type actionButton struct {
	button   *widget.Button
	progress *widget.ProgressBarInfinite
}

func newActionButton(label string, tapped func()) *actionButton {
	b := &actionButton{button: widget.NewButton(label, tapped), progress: widget.NewProgressBarInfinite()}
	b.button.Importance = widget.HighImportance
	b.progress.Stop()
	b.progress.Hide()
	return b
}

// busy disables the button and runs the progress bar while on.
func (b *actionButton) busy(on bool) { busyWith(b.button, b.progress, on) }

// busyWith disables w and shows and runs progress while on, and undoes
// both when not.
func busyWith(w fyne.Disableable, progress *widget.ProgressBarInfinite, on bool) {
	if on {
		w.Disable()
		progress.Show()
		progress.Start()
		return
	}
	w.Enable()
	progress.Stop()
	progress.Hide()
}

// meterValue maps the RMS level to 0–1 over the range of speech.
func meterValue(l audio.Level) float64 {
	const floor = -60.0
	v := (l.RMS - floor) / -floor
	return math.Max(0, math.Min(1, v))
}

// clock writes d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	d = d.Truncate(time.Second)
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

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

// inLargeType shows page in the client screens' large type (largeTheme
// over a's theme). Widgets added to page later take the large type only
// when the override is refreshed (Fyne sets an override's theme on the
// widgets it holds at the time): a screen that rebuilds refreshes it.
func inLargeType(a fyne.App, page fyne.CanvasObject) *container.ThemeOverride {
	return container.NewThemeOverride(page, largeTheme{Theme: a.Settings().Theme()})
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

// Color is the underlying theme's, except the two colours buttons are
// filled with, which Fyne's default theme gives too little contrast with
// their labels (white on its blue 4.47:1, on its red 3.68:1; WCAG asks
// 4.5:1): a deeper blue, and a red that reads both as a button under its
// label and as the text of a problem on the page, in either variant.
func (t largeTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return clientBlue
	case theme.ColorNameError:
		if v == theme.VariantDark {
			return clientRedOnDark
		}
		return clientRed
	case theme.ColorNameForegroundOnError:
		if v == theme.VariantDark {
			return color.Black
		}
		return color.White
	case theme.ColorNamePlaceHolder:
		// Fyne's grey is 3.2:1 on its light field (and fine on the dark).
		if luminanceOf(t.Theme.Color(theme.ColorNameInputBackground, v)) > 0.5 {
			return clientHintOnLight
		}
	}
	return t.Theme.Color(n, v)
}

// luminanceOf is c's brightness from 0 (black) to 1 (white), roughly (no
// gamma): enough to tell a light field from a dark one.
func luminanceOf(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

// The client screens' button colours (see largeTheme.Color), with the
// contrast measured by the accessibility test: white on clientBlue 5.6:1;
// white on clientRed, and clientRed on white, 5.6:1; black on
// clientRedOnDark 9.2:1, and clientRedOnDark on the dark background 7.8:1;
// clientHintOnLight (a field's placeholder, such as "Your passphrase") on
// the light theme's field 5.8:1.
var (
	clientHintOnLight = color.NRGBA{R: 0x5f, G: 0x5f, B: 0x5f, A: 0xff}
	clientBlue        = color.NRGBA{R: 25, G: 95, B: 225, A: 0xff}
	clientRed         = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	clientRedOnDark   = color.NRGBA{R: 0xff, G: 0x8a, B: 0x80, A: 0xff}
)

// recordingRed is the colour of the recording dot.
var recordingRed = color.NRGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff}

// saveFile asks where to save data, offering the file name name, and
// saves it there (saveTo); a dialog cancelled does nothing.
func (u *UI) saveFile(data []byte, name string, audit func() error, done func(error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			done(err)
			return
		}
		if w != nil {
			u.saveTo(w, data, audit, done)
		}
	}, u.win)
	d.SetFileName(name)
	d.Show()
}

// saveTo writes data into w and closes it, and only then calls audit
// (whose failure goes to the log) and done(nil): a screen says "saved"
// only once the file is whole on the disk. A write or close that fails
// removes the file, audits nothing and calls done with its error.
func (u *UI) saveTo(w fyne.URIWriteCloser, data []byte, audit func() error, done func(error)) {
	err := writeOrRemove(w, func(w io.WriteCloser) error {
		_, err := w.Write(data)
		return err
	})
	if err == nil && audit != nil {
		if aerr := audit(); aerr != nil {
			u.opt.Logf("audit: %v", aerr)
		}
	}
	done(err)
}
