package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
)

// TestLevelViewMovesAtTheRateAPersonSees feeds a level every
// audio.LevelInterval, as the recorder reports them, and checks that the
// meter follows ten times a second, no more, and the clock every second.
func TestLevelViewMovesAtTheRateAPersonSees(t *testing.T) {
	test.NewTempApp(t)
	v := &levelView{timer: widget.NewLabel(""), meter: widget.NewProgressBar()}
	moves, last := 0, -1.0
	for i, at := 0, time.Duration(0); at < 3*time.Second; i, at = i+1, at+audio.LevelInterval {
		// Speech: a level unlike the one before it every time.
		rms := -10 - float64(i%7)*6
		v.show(audio.Level{RMS: rms, Elapsed: at})
		if v.meter.Value != last {
			moves++
			last = v.meter.Value
		}
	}
	// 3 s of levels every 50 ms: 60 levels, the meter drawn for 30.
	if want := int(3*time.Second/meterEvery) - 1; moves < want || moves > want+2 {
		t.Errorf("the meter moved %d times in 3 s of levels every %v, want about %d", moves, audio.LevelInterval, want)
	}
	if v.timer.Text != "0:02" {
		t.Errorf("the clock says %q after 2.95 s, want 0:02", v.timer.Text)
	}
	// A new recording starts again from zero: drawn at once.
	v.show(audio.Level{RMS: -30, Elapsed: 0})
	if v.timer.Text != "0:00" || v.meter.Value != meterValue(audio.Level{RMS: -30}) {
		t.Errorf("a new recording: clock %q, meter %v", v.timer.Text, v.meter.Value)
	}
}
