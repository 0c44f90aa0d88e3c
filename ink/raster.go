package ink

import (
	"image"
	"math"
)

// Render draws sheet s into a new image of w×h pixels (a size of 0 or less
// gives an empty image): the ink's Colour throughout, with each pixel's
// coverage by the strokes as its alpha, to be laid over paper. The sheet
// fills the image; an image of Aspect proportions draws it undistorted.
func Render(s Sheet, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, max(w, 0), max(h, 0)))
	Clear(img)
	for _, st := range s.Strokes {
		DrawPieces(img, st, 0, len(st.Points)-1)
	}
	return img
}

// Clear makes img blank: the ink's Colour with no coverage (alpha 0)
// everywhere, as Render starts.
func Clear(img *image.NRGBA) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):][:4*b.Dx()]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = Colour.R, Colour.G, Colour.B, 0
		}
	}
}

// DrawPieces paints pieces first to last of stroke s (clamped to the
// stroke's pieces) into img's alpha, the sheet filling img's bounds. A
// pixel keeps the larger of its coverage and the piece's, so painting a
// piece twice does no harm and the order of painting does not matter.
//
// A stroke of n points has n pieces. Piece 0 goes straight from the first
// point to the midpoint of the first two; piece k, 0 < k < n-1, is a
// quadratic curve from midpoint to midpoint with point k as its control;
// piece n-1 goes straight on to the last point. A stroke of one point is a
// dot. The line passes through the first and last points and bends
// smoothly through the rest, never reaching a sharp corner. Piece k
// depends on points k-1 to k+1 only: while a stroke grows, each new point
// makes the piece before the last one final, and the last piece is final
// when the stroke ends. Painting each piece once it is final gives the
// same pixels as Render.
//
// The line is round-ended and anti-aliased; its width is s.Width scaled to
// img's width, and never under about a pixel so that the thinnest pen still
// shows.
func DrawPieces(img *image.NRGBA, s Stroke, first, last int) {
	b := img.Bounds()
	r := max(0.6, float64(s.Width)/WidthUnit*float64(b.Dx())/2)
	pieces(s.Points, b, first, last, func(ax, ay, bx, by float64) {
		segment(img, ax, ay, bx, by, r)
	})
}

// pieces calls seg, in pixels of a sheet filling bounds, for the line
// segments of pieces first to last of the smoothed path through pts (see
// DrawPieces).
func pieces(pts []Point, bounds image.Rectangle, first, last int, seg func(ax, ay, bx, by float64)) {
	n := len(pts)
	first, last = max(first, 0), min(last, n-1)
	if n == 0 || first > last {
		return
	}
	w, h := float64(bounds.Dx()), float64(bounds.Dy())
	ox, oy := float64(bounds.Min.X), float64(bounds.Min.Y)
	px := func(i int) (float64, float64) {
		return ox + float64(pts[i].X)/MaxCoord*w, oy + float64(pts[i].Y)/MaxCoord*h
	}
	mid := func(i int) (float64, float64) { // between points i and i+1
		ax, ay := px(i)
		bx, by := px(i + 1)
		return (ax + bx) / 2, (ay + by) / 2
	}
	if n == 1 {
		x, y := px(0)
		seg(x, y, x, y)
		return
	}
	for k := first; k <= last; k++ {
		switch k {
		case 0:
			ax, ay := px(0)
			bx, by := mid(0)
			seg(ax, ay, bx, by)
		case n - 1:
			ax, ay := mid(n - 2)
			bx, by := px(n - 1)
			seg(ax, ay, bx, by)
		default:
			sx, sy := mid(k - 1)
			cx, cy := px(k)
			ex, ey := mid(k)
			// Enough segments that each is about 3 pixels long.
			length := math.Hypot(cx-sx, cy-sy) + math.Hypot(ex-cx, ey-cy)
			steps := int(max(1, min(32, math.Ceil(length/3))))
			ax, ay := sx, sy
			for i := 1; i <= steps; i++ {
				t := float64(i) / float64(steps)
				u := 1 - t
				bx := u*u*sx + 2*u*t*cx + t*t*ex
				by := u*u*sy + 2*u*t*cy + t*t*ey
				seg(ax, ay, bx, by)
				ax, ay = bx, by
			}
		}
	}
}

// segment paints a round-ended line of radius r from a to b into img's
// alpha, anti-aliased, keeping each pixel's larger coverage.
func segment(img *image.NRGBA, ax, ay, bx, by, r float64) {
	bounds := img.Bounds()
	x0 := max(bounds.Min.X, int(math.Floor(min(ax, bx)-r-1)))
	x1 := min(bounds.Max.X-1, int(math.Ceil(max(ax, bx)+r+1)))
	y0 := max(bounds.Min.Y, int(math.Floor(min(ay, by)-r-1)))
	y1 := min(bounds.Max.Y-1, int(math.Ceil(max(ay, by)+r+1)))
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	for y := y0; y <= y1; y++ {
		py := float64(y) + 0.5
		for x := x0; x <= x1; x++ {
			pxf := float64(x) + 0.5
			t := 0.0
			if l2 > 0 {
				t = max(0, min(1, ((pxf-ax)*dx+(py-ay)*dy)/l2))
			}
			d := math.Hypot(ax+t*dx-pxf, ay+t*dy-py)
			cov := r + 0.5 - d
			if cov <= 0 {
				continue
			}
			a := uint8(math.Round(min(1, cov) * 255))
			if i := img.PixOffset(x, y) + 3; img.Pix[i] < a {
				img.Pix[i] = a
			}
		}
	}
}
