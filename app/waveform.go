package app

import (
	"image"
	"image/color"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/assent-recorder/assent/storage"
)

// waveform draws a recording's stored peaks, the part played so far in the
// accent colour. It never decodes audio.
type waveform struct {
	raster *canvas.Raster
	levels []byte
	played float64 // 0–1
	// markers are where the recording's markers are, 0–1 of its length.
	markers []float64
}

var (
	waveUnplayed = color.NRGBA{R: 0x90, G: 0x90, B: 0x90, A: 0xff}
	wavePlayed   = color.NRGBA{R: 0x29, G: 0x6f, B: 0xd6, A: 0xff}
)

// newWaveform returns an empty waveform, 320×72 at the least.
func newWaveform() *waveform {
	w := &waveform{}
	w.raster = canvas.NewRaster(w.draw)
	w.raster.SetMinSize(fyne.NewSize(320, 72))
	return w
}

// setLevels draws the stored peaks levels, one byte each (0–255).
func (w *waveform) setLevels(levels []byte) {
	w.levels = slices.Clone(levels)
	w.raster.Refresh()
}

// setMarkers draws markers, of a recording of length d, as lines across
// the waveform.
func (w *waveform) setMarkers(ms []storage.Marker, d time.Duration) {
	w.markers = w.markers[:0]
	for _, m := range ms {
		if d > 0 && m.At <= d {
			w.markers = append(w.markers, float64(m.At)/float64(d))
		}
	}
	w.raster.Refresh()
}

// markerX is the pixel column of a marker at f (0–1) in a waveform width
// pixels wide.
func markerX(f float64, width int) int { return min(width-1, int(f*float64(width))) }

// setPlayed colours the part played so far, f from 0 to 1.
func (w *waveform) setPlayed(f float64) {
	f = min(max(f, 0), 1)
	if f == w.played {
		return
	}
	w.played = f
	w.raster.Refresh()
}

// draw makes the image: one bar per pixel column, as tall as the loudest
// peak that column covers, mirrored about the middle.
func (w *waveform) draw(width, height int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	n := len(w.levels)
	if width <= 0 || height <= 0 {
		return img
	}
	levels := w.levels
	if n == 0 {
		n, levels = 1, []byte{0} // no peaks: the markers still show
	}
	mid := height / 2
	playedTo := int(w.played * float64(width))
	for x := range width {
		lo := x * n / width
		hi := max(lo+1, (x+1)*n/width)
		peak := slices.Max(levels[lo:min(hi, n)])
		h := int(float64(peak) / 255 * float64(height-2) / 2)
		c := waveUnplayed
		if x < playedTo {
			c = wavePlayed
		}
		for y := mid - h; y <= mid+h; y++ {
			img.SetNRGBA(x, y, c)
		}
	}
	for _, f := range w.markers {
		x := markerX(f, width)
		for y := range height {
			img.SetNRGBA(x, y, markerColour)
		}
	}
	return img
}
