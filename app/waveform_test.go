package app

import "testing"

func TestWaveformDrawsPeaks(t *testing.T) {
	w := newWaveform()
	w.setLevels([]byte{0, 0, 255, 255, 0, 0, 128, 128})
	w.setPlayed(0.5)
	img := w.draw(80, 40)
	inked := func(x, y int) bool { return alpha(img.At(x, y)) > 0 }
	if !inked(25, 2) || !inked(25, 37) {
		t.Error("a full-scale peak is not drawn full height")
	}
	if inked(5, 10) {
		t.Error("silence is drawn as more than a line")
	}
	if inked(65, 5) || !inked(65, 15) {
		t.Error("a half-scale peak is not drawn half height")
	}
	if img.At(25, 20) == img.At(65, 20) {
		t.Error("the played part is not drawn in another colour")
	}
}

func alpha(c interface{ RGBA() (r, g, b, a uint32) }) uint32 {
	_, _, _, a := c.RGBA()
	return a
}
