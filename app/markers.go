package app

import (
	"errors"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// Markers while recording: on the therapist's session screen (never the
// client screen), "Mark this moment" or Ctrl+M (⌘M), with an optional word,
// marks the time captured so far ("come back to this"). The marker is
// sealed with the recording (session.Mark, storage.AddMarker); the library
// draws it on the waveform and lists it beside the player, and a click
// plays from there.

// markKey marks this moment while recording.
var markKey = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault}

// markerColour draws markers on the waveform.
var markerColour = color.NRGBA{R: 0xe6, G: 0x51, B: 0x00, A: 0xff}

// markBar is the session screen's "Mark this moment" with its word and
// what it last marked.
type markBar struct {
	s      *sessionScreen
	word   *widget.Entry
	button *widget.Button
	marked *widget.Label
	box    *fyne.Container
}

func newMarkBar(s *sessionScreen) *markBar {
	b := &markBar{s: s}
	b.word = widget.NewEntry()
	b.word.SetPlaceHolder("a word (optional)")
	b.word.OnSubmitted = func(string) { b.mark() }
	b.button = widget.NewButton("Mark this moment (Ctrl+M)", b.mark)
	b.marked = widget.NewLabel("")
	b.marked.Importance = widget.LowImportance
	b.box = container.NewBorder(nil, nil, b.button, b.marked, b.word)
	return b
}

// mark marks this moment of the recording with the word typed, if any,
// and says so; only while the session screen shows and records.
func (b *markBar) mark() {
	s := b.s
	if s.ui.screen != s {
		return // the client screen is up: the therapist's key does nothing there
	}
	s.ui.touch()
	m, seg, err := s.run.Mark(b.word.Text)
	switch {
	case errors.Is(err, session.ErrNotRecording):
		b.marked.SetText("Nothing is being recorded.")
		return
	case err != nil:
		s.ui.opt.Logf("marking: %v", err)
		b.marked.SetText("The moment could not be marked.")
		return
	}
	text := "Marked " + stampText(seg, m.At)
	if m.Word != "" {
		text += m.Word
	}
	b.marked.SetText(text)
	b.word.SetText("")
}

// markerLinks are recording r's markers as buttons that play from there
// (enabled when r may be played), under a heading; none when it has none.
func (s *libraryScreen) markerLinks(ms []storage.Marker, playable bool) []fyne.CanvasObject {
	if len(ms) == 0 {
		return nil
	}
	out := []fyne.CanvasObject{boldWrapped("Moments marked while recording")}
	for _, m := range ms {
		label := "▲ " + clock(m.At)
		if m.Word != "" {
			label += "  " + m.Word
		}
		out = append(out, s.seekLink(label, m.At, playable))
	}
	return out
}

// seekLink is a button that plays the chosen recording from at.
func (s *libraryScreen) seekLink(label string, at time.Duration, playable bool) *widget.Button {
	b := widget.NewButton(label, func() { s.player.seekTo(at) })
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	if !playable {
		b.Disable()
	}
	return b
}
