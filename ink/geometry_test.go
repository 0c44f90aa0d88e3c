package ink_test

import (
	"math"
	"testing"

	"github.com/assent-recorder/assent/ink"
)

// widths is a distance along Y in sheet coordinates, in sheet widths.
func widths(dy float64) float64 { return dy / ink.MaxCoord / ink.Aspect }

func TestSegmentDistance(t *testing.T) {
	const m = ink.MaxCoord
	pt := func(x, y uint16) ink.Point { return ink.Point{X: x, Y: y} }
	for _, c := range []struct {
		name           string
		p1, p2, q1, q2 ink.Point
		want           float64
	}{
		// No end of either is near the other: only the crossing says 0.
		{"crossing diagonals", pt(0, 0), pt(m, m), pt(0, m), pt(m, 0), 0},
		{"top and bottom edges", pt(0, 0), pt(m, 0), pt(0, m), pt(m, m), 1 / ink.Aspect},
		{"left and right edges", pt(0, 0), pt(0, m), pt(m, 0), pt(m, m), 1},
		{"touching in a T", pt(0, 30000), pt(60000, 30000), pt(30000, 30000), pt(30000, 50000), 0},
		{"overlapping on one line", pt(0, 100), pt(100, 100), pt(50, 100), pt(150, 100), 0},
		{"a point above the middle of a segment", pt(30000, 10000), pt(30000, 10000), pt(0, 20000), pt(60000, 20000), widths(10000)},
		{"a point beyond a segment's end", pt(0, 0), pt(0, 0), pt(3000, 0), pt(m, 0), 3000.0 / m},
		{"two points", pt(0, 0), pt(0, 0), pt(m, 0), pt(m, 0), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, got := range []float64{
				ink.SegmentDistance(c.p1, c.p2, c.q1, c.q2),
				ink.SegmentDistance(c.q1, c.q2, c.p1, c.p2),
				ink.SegmentDistance(c.p2, c.p1, c.q2, c.q1),
			} {
				if math.Abs(got-c.want) > 1e-12 {
					t.Errorf("distance %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestStrokeNear(t *testing.T) {
	dot := ink.Stroke{Width: 1, Points: []ink.Point{{1000, 1000}}}
	a, b := ink.Point{X: 0, Y: 1100}, ink.Point{X: 5000, Y: 1100} // 100 below the dot
	if d := widths(100); !ink.StrokeNear(dot, a, b, d*1.01) || ink.StrokeNear(dot, a, b, d*0.99) {
		t.Errorf("a dot %v below a segment is not near it within exactly that reach", d)
	}

	ell := ink.Stroke{Width: 1, Points: []ink.Point{{0, 0}, {30000, 0}, {30000, 30000}}}
	tap := ink.Point{X: 31000, Y: 20000} // 1000 right of the second leg
	if !ink.StrokeNear(ell, tap, tap, 1001.0/ink.MaxCoord) || ink.StrokeNear(ell, tap, tap, 999.0/ink.MaxCoord) {
		t.Error("a tap beside the second leg of a stroke is not near it within exactly that reach")
	}
	// A drag across a leg touches it at reach 0.
	if !ink.StrokeNear(ell, ink.Point{X: 20000, Y: 0}, ink.Point{X: 40000, Y: 10000}, 0) {
		t.Error("a segment crossing a stroke is not near it")
	}
	if ink.StrokeNear(ink.Stroke{Width: 1}, a, b, 10) {
		t.Error("a stroke without points is near something")
	}
}

func TestEraserTouches(t *testing.T) {
	line := func(width uint16) ink.Stroke {
		return ink.Stroke{Width: width, Points: []ink.Point{{10000, 30000}, {50000, 30000}}}
	}
	// dy away from the line, as a tap.
	tap := func(distance float64) ink.Point {
		return ink.Point{X: 30000, Y: 30000 + uint16(math.Round(distance*ink.MaxCoord*ink.Aspect))}
	}

	// The pen's line is touched up to EraserRadius beyond its edge.
	edge := ink.EraserRadius + float64(ink.PenWidth)/ink.WidthUnit/2
	if p := tap(edge - 0.0004); !ink.EraserTouches(line(ink.PenWidth), p, p) {
		t.Error("a tap just within the eraser's reach of a pen stroke does not touch it")
	}
	if p := tap(edge + 0.0004); ink.EraserTouches(line(ink.PenWidth), p, p) {
		t.Error("a tap just beyond the eraser's reach of a pen stroke touches it")
	}
	// A wider line is touched farther away.
	if p := tap(ink.EraserRadius + 0.02); ink.EraserTouches(line(1), p, p) || !ink.EraserTouches(line(ink.MaxWidth), p, p) {
		t.Error("the stroke's width does not widen the eraser's reach")
	}
	// A drag straight across, from far above to far below, touches it.
	if !ink.EraserTouches(line(1), ink.Point{X: 30000, Y: 0}, ink.Point{X: 30001, Y: ink.MaxCoord}) {
		t.Error("a drag across the stroke does not touch it")
	}
	if ink.EraserTouches(ink.Stroke{Width: ink.PenWidth}, tap(0), tap(0)) {
		t.Error("a stroke without points was touched")
	}
}
