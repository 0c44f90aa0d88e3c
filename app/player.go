package app

import (
	"errors"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/storage"
)

// libraryTick is how often the player's position is shown while a
// recording is open.
const libraryTick = 100 * time.Millisecond

// player is the library's player for the chosen recording: its controls
// (Play/Pause, a slider, the position and the waveform) and, once the
// recording is opened, the audio.Player with its reader and a ticker that
// shows where it is. It belongs to one libraryScreen and is used on the UI
// goroutine; leaving that screen in any way closes it.
type player struct {
	lib *libraryScreen

	play     *widget.Button
	slider   *widget.Slider
	position *widget.Label
	wave     *waveform

	// The open player, if any: it belongs to the recording openFor.
	audio    *audio.Player
	reader   io.ReadSeekCloser
	openFor  string
	opening  bool
	stopTick chan struct{} // closed to end the ticker goroutine
	pending  time.Duration // a seek made before the player was open
	dragging bool          // the slider is being moved by hand
	moving   bool          // the slider is being moved by the player
}

// newPlayer returns lib's player, with nothing open.
func newPlayer(lib *libraryScreen) *player {
	p := &player{lib: lib}
	p.play = widget.NewButton("Play", p.toggle)
	p.play.Importance = widget.HighImportance
	p.slider = widget.NewSlider(0, 1)
	p.slider.Step = 0.1
	p.slider.OnChanged = p.sliderMoved
	p.slider.OnChangeEnded = p.sliderReleased
	p.position = widget.NewLabel("0:00 / 0:00")
	p.wave = newWaveform()
	return p
}

// choose makes the player the recording id's: one open for another
// recording is closed, and a position chosen before opening is forgotten.
func (p *player) choose(id string) {
	if p.openFor != id {
		p.close()
	}
	p.pending = 0
}

// controls are the chosen recording's waveform (its stored peaks levels,
// with its markers), slider, Play button and position, for a recording of
// length d; playable says whether it may be played.
func (p *player) controls(d time.Duration, levels []byte, markers []storage.Marker, playable bool) []fyne.CanvasObject {
	p.wave.setLevels(levels)
	p.wave.setMarkers(markers, d)
	p.wave.setPlayed(0)
	p.slider.Max = max(d.Seconds(), 0.1)
	p.showPosition(0, d)
	if playable {
		p.play.Enable()
		p.slider.Enable()
	} else {
		p.play.Disable()
		p.slider.Disable()
	}
	p.play.SetText("Play")
	if p.audio != nil {
		p.tick()
	}
	return []fyne.CanvasObject{p.wave.raster, p.slider, container.NewBorder(nil, nil, p.play, nil, p.position)}
}

// toggle opens the chosen recording the first time, then plays and
// pauses it.
func (p *player) toggle() {
	ui := p.lib.ui
	ui.touch()
	if p.audio != nil {
		if p.audio.Playing() {
			p.audio.Pause()
			p.play.SetText("Play")
			return
		}
		if err := p.audio.Play(); err != nil {
			ui.opt.Logf("playing %s: %v", p.openFor, err)
			p.lib.problem.SetText("The recording could not be played.")
			return
		}
		p.play.SetText("Pause")
		return
	}
	p.open()
}

// open opens the chosen recording (storage counts a play and writes an
// audit row) and starts playing it, in the background: the player reads
// every frame header first.
func (p *player) open() {
	s, ui := p.lib, p.lib.ui
	e, ok := s.selectedEntry()
	if !ok || p.opening {
		return
	}
	if msg := playRefusal(ui.db, e.rec, ui.opt.Speaker); msg != "" {
		s.refusal.SetText(msg)
		return
	}
	id, spk := e.rec.ID, ui.opt.Speaker
	p.opening = true
	p.play.Disable()
	var (
		rc io.ReadSeekCloser
		pl *audio.Player
	)
	ui.background(func() error {
		r, err := ui.db.OpenRecording(id)
		if err != nil {
			return err
		}
		if pl, err = audio.NewPlayer(r, spk); err != nil {
			r.Close()
			return err
		}
		rc = r
		return nil
	}, func(err error) {
		p.opening = false
		p.play.Enable()
		if err != nil {
			ui.opt.Logf("opening recording %s: %v", id, err)
			s.problem.SetText(playbackProblem(err))
			return
		}
		if cur, ok := s.selectedEntry(); !ok || cur.rec.ID != id || ui.screen != s {
			pl.Close()
			rc.Close()
			return
		}
		p.audio, p.reader, p.openFor = pl, rc, id
		p.slider.Max = max(pl.Duration().Seconds(), 0.1)
		if p.pending > 0 {
			if err := pl.Seek(p.pending); err != nil {
				ui.opt.Logf("seeking %s: %v", id, err)
			}
		}
		if err := pl.Play(); err != nil {
			ui.opt.Logf("playing %s: %v", id, err)
		}
		p.play.SetText("Pause")
		p.startTicker()
		s.refreshPlays(id)
	})
}

// playbackProblem is the sentence shown when a recording cannot be opened.
func playbackProblem(err error) string {
	var behind *storage.ClockBehindError
	switch {
	case errors.As(err, &behind):
		return clockBehindText(behind.Now, behind.Latest)
	case errors.Is(err, storage.ErrPastDeletionDate):
		return "This recording's deletion date has come: it can never be played again, and it is deleted at the next purge."
	case errors.Is(err, storage.ErrNotInBackup):
		return notInBackupText
	case errors.Is(err, storage.ErrDeleted):
		return "This recording has just been deleted (its date came, or it was deleted now)."
	case errors.Is(err, storage.ErrOwed):
		return owedRecordingText
	case errors.Is(err, storage.ErrLocked):
		return "The practice is locked. Unlock it to listen."
	case errors.Is(err, storage.ErrTampered), errors.Is(err, storage.ErrTruncated):
		return "This recording is damaged or was altered, so it cannot be played. Run `assent verify` for details."
	case errors.Is(err, audio.ErrFormat):
		return "This recording cannot be played: its audio is not readable."
	}
	return "The recording could not be opened. See the log for details."
}

// startTicker shows the player's position every libraryTick until the
// player is closed. The ticker runs while a player is open, playing or
// paused, so that leaving the screen in any way closes it at the next tick.
func (p *player) startTicker() {
	if p.stopTick != nil {
		return
	}
	stop := make(chan struct{})
	p.stopTick = stop
	go func() {
		t := time.NewTicker(libraryTick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.lib.ui.do(p.tick)
			}
		}
	}()
}

// tick shows where the player is; on the UI goroutine.
func (p *player) tick() {
	if p.lib.ui.screen != p.lib {
		// The screen was left without Back (a lock, another screen).
		p.close()
		return
	}
	pl := p.audio
	if pl == nil {
		return
	}
	pos, dur := pl.Position(), pl.Duration()
	if !p.dragging {
		p.moving = true
		p.slider.SetValue(pos.Seconds())
		p.moving = false
		p.showPosition(pos, dur)
	}
	if !pl.Playing() && p.play.Text != "Play" {
		p.play.SetText("Play")
		if err := pl.Err(); err != nil {
			p.lib.ui.opt.Logf("playing %s: %v", p.openFor, err)
			p.lib.problem.SetText(playbackProblem(err))
		}
	}
}

// showPosition writes "1:05 / 12:30" and marks the waveform played so far.
func (p *player) showPosition(pos, dur time.Duration) {
	p.position.SetText(clock(pos) + " / " + clock(dur))
	if dur > 0 {
		p.wave.setPlayed(float64(pos) / float64(dur))
	}
}

// sliderMoved follows the slider while it is dragged by hand.
func (p *player) sliderMoved(v float64) {
	if p.moving {
		return
	}
	p.dragging = true
	p.showPosition(sliderTime(v), p.duration())
}

// sliderReleased seeks to where the slider was let go.
func (p *player) sliderReleased(v float64) {
	p.dragging = false
	p.seekTo(sliderTime(v))
}

// seekTo moves playback to d: at once when the recording is open, else
// from where it starts when Play opens it.
func (p *player) seekTo(d time.Duration) {
	p.lib.ui.touch()
	if p.audio == nil {
		p.pending = d
		p.moving = true
		p.slider.SetValue(d.Seconds())
		p.moving = false
		p.showPosition(d, p.duration())
		return
	}
	if err := p.audio.Seek(d); err != nil {
		p.lib.ui.opt.Logf("seeking %s: %v", p.openFor, err)
		p.lib.problem.SetText("Assent could not move to that point of the recording.")
		return
	}
	p.moving = true
	p.slider.SetValue(p.audio.Position().Seconds())
	p.moving = false
	p.showPosition(p.audio.Position(), p.audio.Duration())
}

// duration is the open player's length, else the stored one.
func (p *player) duration() time.Duration {
	if p.audio != nil {
		return p.audio.Duration()
	}
	if e, ok := p.lib.selectedEntry(); ok {
		return e.rec.Duration
	}
	return 0
}

// sliderTime is the slider's value, in seconds, as a duration.
func sliderTime(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }

// close stops playing and releases the player, its reader and the ticker.
// It is safe to call when nothing is open.
func (p *player) close() {
	if p.stopTick != nil {
		close(p.stopTick)
		p.stopTick = nil
	}
	if p.audio != nil {
		p.audio.Close()
		p.audio = nil
	}
	if p.reader != nil {
		p.reader.Close()
		p.reader = nil
	}
	p.openFor = ""
	p.play.SetText("Play")
}
