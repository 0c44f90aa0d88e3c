package app

import (
	"math"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
)

// meterEvery is how often, in recorded time, the level meter moves: ten
// times a second, as often as an eye follows a meter. The session
// reports a level every audio.LevelInterval or so, and every redraw of
// the window costs the laptop (with software rendering, a whole frame).
const meterEvery = 100 * time.Millisecond

// meterStep is the least change of the meter worth a redraw (of 0–1).
const meterStep = 0.02

// levelView shows a recording's time and level on screen at the rate a
// person can see them: the clock when its text changes (once a second),
// the meter at most every meterEvery of recorded time and only when it
// moved. It reads no clock: the level carries the time recorded.
type levelView struct {
	timer *widget.Label
	meter *widget.ProgressBar
	// at is the recorded time the meter was last drawn for; drawn says
	// whether it was drawn at all.
	at    time.Duration
	drawn bool
}

// show draws l where it changed enough to be seen.
func (v *levelView) show(l audio.Level) {
	if t := clock(l.Elapsed); t != v.timer.Text {
		v.timer.SetText(t)
	}
	// A new recording starts its time again from zero.
	if v.drawn && l.Elapsed >= v.at && l.Elapsed-v.at < meterEvery {
		return
	}
	v.at, v.drawn = l.Elapsed, true
	if m := meterValue(l); math.Abs(m-v.meter.Value) >= meterStep || (m == 0) != (v.meter.Value == 0) {
		v.meter.SetValue(m)
	}
}
