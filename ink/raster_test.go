package ink_test

import (
	"bytes"
	"image"
	"testing"

	"github.com/assent-recorder/assent/ink"
)

// alpha is the coverage Render or DrawPieces gave pixel (x, y).
func alpha(img *image.NRGBA, x, y int) uint8 { return img.NRGBAAt(x, y).A }

// at is the sheet point drawn at pixel (x, y) of a w×h image.
func at(x, y, w, h int) ink.Point {
	return ink.Point{X: uint16(x * ink.MaxCoord / w), Y: uint16(y * ink.MaxCoord / h)}
}

func TestRenderDrawsTheInk(t *testing.T) {
	const w, h = 400, 200
	dot := ink.Stroke{Width: 100, Points: []ink.Point{at(100, 100, w, h)}}
	img := Render(t, ink.Sheet{Strokes: []ink.Stroke{dot}}, w, h)
	if c := img.NRGBAAt(100, 100); c.A != 0xff || c.R != ink.Colour.R || c.G != ink.Colour.G || c.B != ink.Colour.B {
		t.Errorf("the dot's pixel is %v, want the ink's colour, opaque", c)
	}
	if c := img.NRGBAAt(110, 100); c.A != 0 || c.R != ink.Colour.R || c.G != ink.Colour.G || c.B != ink.Colour.B {
		t.Errorf("a pixel beside the dot is %v, want the ink's colour, transparent", c)
	}
	empty := Render(t, ink.Sheet{}, w, h)
	for i := 3; i < len(empty.Pix); i += 4 {
		if empty.Pix[i] != 0 {
			t.Fatal("an empty sheet has ink")
		}
	}
	for _, size := range [][2]int{{0, 0}, {0, 10}, {-3, 5}} {
		if got := ink.Render(ink.Sheet{Strokes: []ink.Stroke{dot}}, size[0], size[1]); !got.Bounds().Empty() {
			t.Errorf("Render at %v×%v gave bounds %v", size[0], size[1], got.Bounds())
		}
	}
}

// Render is ink.Render, checked to have the size asked for.
func Render(t *testing.T, s ink.Sheet, w, h int) *image.NRGBA {
	t.Helper()
	img := ink.Render(s, w, h)
	if img.Bounds() != image.Rect(0, 0, w, h) {
		t.Fatalf("Render(%d, %d) has bounds %v", w, h, img.Bounds())
	}
	return img
}

func TestPenWidthScalesWithTheImage(t *testing.T) {
	// Width 100 is a hundredth of the sheet: 10 pixels in 1000, 5 in 500.
	line := func(w, h int) ink.Sheet {
		return ink.Sheet{Strokes: []ink.Stroke{{Width: 100, Points: []ink.Point{at(w/10, h/2, w, h), at(w*9/10, h/2, w, h)}}}}
	}
	big := Render(t, line(1000, 700), 1000, 700)
	if alpha(big, 500, 350+4) == 0 || alpha(big, 500, 350+7) != 0 {
		t.Error("a line of width 100 is not 10 pixels wide in 1000")
	}
	small := Render(t, line(500, 350), 500, 350)
	if alpha(small, 250, 175+1) == 0 || alpha(small, 250, 175+4) != 0 {
		t.Error("a line of width 100 is not 5 pixels wide in 500")
	}
	// The thinnest pen still shows: a dot of width 1 between four pixels
	// covers each of them in part.
	thin := Render(t, ink.Sheet{Strokes: []ink.Stroke{{Width: 1, Points: []ink.Point{at(50, 50, 100, 100)}}}}, 100, 100)
	if alpha(thin, 50, 50) == 0 || alpha(thin, 49, 49) == 0 {
		t.Errorf("a dot of width 1 has coverage %d", alpha(thin, 50, 50))
	}
}

func TestStrokesAreSmoothed(t *testing.T) {
	// A sharp zigzag is drawn as a curve through the midpoints (150, 200)
	// and (250, 200): it turns at (200, 250), short of the corner at
	// (200, 300).
	const w, h = 400, 400
	zig := ink.Stroke{Width: 30, Points: []ink.Point{at(100, 100, w, h), at(200, 300, w, h), at(300, 100, w, h)}}
	img := Render(t, ink.Sheet{Strokes: []ink.Stroke{zig}}, w, h)
	for _, p := range []image.Point{{100, 100}, {150, 200}, {200, 249}, {250, 200}, {299, 100}} {
		if alpha(img, p.X, p.Y) == 0 {
			t.Errorf("no ink at %v, on the smoothed line", p)
		}
	}
	for _, p := range []image.Point{{200, 300}, {200, 270}} {
		if alpha(img, p.X, p.Y) != 0 {
			t.Errorf("ink at %v: the line reaches the sharp corner", p)
		}
	}
}

// scaled is a stroke of the wandering walk, its steps made larger so that
// its pieces are many pixels long.
func scaled(n int, seed uint64) ink.Stroke {
	s := walk(n, seed)
	grow := func(v uint16) uint16 {
		return uint16(max(0, min(ink.MaxCoord, ink.MaxCoord/2+(int(v)-ink.MaxCoord/2)*20)))
	}
	for i, p := range s.Points {
		s.Points[i] = ink.Point{X: grow(p.X), Y: grow(p.Y)}
	}
	return s
}

func TestDrawingPieceByPieceIsRender(t *testing.T) {
	const w, h = 566, 400
	strokes := []ink.Stroke{scaled(60, 7), scaled(2, 8), {Width: ink.PenWidth, Points: []ink.Point{at(30, 30, w, h)}}}
	want := Render(t, ink.Sheet{Strokes: strokes}, w, h)

	// As the widget does while the pen moves: each new point makes the
	// piece before the last final; the end makes the last one final.
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	ink.Clear(img)
	for _, s := range strokes {
		for n := 2; n <= len(s.Points); n++ {
			grown := ink.Stroke{Width: s.Width, Points: s.Points[:n]}
			ink.DrawPieces(img, grown, n-2, n-2)
		}
		ink.DrawPieces(img, s, len(s.Points)-1, len(s.Points)-1)
	}
	if !bytes.Equal(img.Pix, want.Pix) {
		t.Error("drawn piece by piece as the strokes grew, the sheet differs from Render")
	}

	// Painting again, backwards, and out of range changes nothing.
	for i := len(strokes) - 1; i >= 0; i-- {
		for k := len(strokes[i].Points); k >= -1; k-- {
			ink.DrawPieces(img, strokes[i], k, k)
		}
		ink.DrawPieces(img, strokes[i], -5, 1000)
	}
	ink.DrawPieces(img, ink.Stroke{Width: ink.PenWidth}, 0, 0)
	if !bytes.Equal(img.Pix, want.Pix) {
		t.Error("painting the pieces a second time changed the sheet")
	}

	// first > last draws nothing.
	blank := image.NewNRGBA(image.Rect(0, 0, w, h))
	ink.Clear(blank)
	ink.DrawPieces(blank, strokes[0], 5, 4)
	if !bytes.Equal(blank.Pix, Render(t, ink.Sheet{}, w, h).Pix) {
		t.Error("an empty range of pieces drew something")
	}
}

func TestDrawingIntoPartOfAnImage(t *testing.T) {
	const w, h = 200, 150
	s := scaled(30, 9)
	want := Render(t, ink.Sheet{Strokes: []ink.Stroke{s}}, w, h)

	big := image.NewNRGBA(image.Rect(0, 0, 400, 300))
	for i := range big.Pix {
		big.Pix[i] = 0xff
	}
	area := image.Rect(100, 50, 100+w, 50+h)
	sub := big.SubImage(area).(*image.NRGBA)
	ink.Clear(sub)
	ink.DrawPieces(sub, s, 0, len(s.Points)-1)
	for y := range 300 {
		for x := range 400 {
			got := big.NRGBAAt(x, y)
			if !(image.Point{X: x, Y: y}).In(area) {
				if got.A != 0xff || got.R != 0xff {
					t.Fatalf("pixel (%d, %d) outside the part drawn into changed to %v", x, y, got)
				}
				continue
			}
			if w := want.NRGBAAt(x-area.Min.X, y-area.Min.Y); got != w {
				t.Fatalf("pixel (%d, %d) is %v; Render has %v there", x, y, got, w)
			}
		}
	}
}
