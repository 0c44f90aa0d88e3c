package ink

import "math"

// EraserTouches reports whether the eraser, moved in a straight line from
// a to b (a == b for a tap), touches s: comes within EraserRadius of the
// edge of its line, whose half-width is half of s.Width. A stroke without
// points is touched by nothing.
func EraserTouches(s Stroke, a, b Point) bool {
	return StrokeNear(s, a, b, EraserRadius+float64(s.Width)/WidthUnit/2)
}

// StrokeNear reports whether the path through s's points, straight from
// point to point and not counting the stroke's width, comes within reach
// of the segment a–b; reach is in sheet widths. A one-point stroke is its
// point. A stroke without points is near nothing.
func StrokeNear(s Stroke, a, b Point, reach float64) bool {
	if len(s.Points) == 0 {
		return false
	}
	ax, ay := unit(a)
	bx, by := unit(b)
	px, py := unit(s.Points[0])
	if len(s.Points) == 1 {
		return segmentDistance(px, py, px, py, ax, ay, bx, by) <= reach
	}
	for _, q := range s.Points[1:] {
		qx, qy := unit(q)
		if segmentDistance(px, py, qx, qy, ax, ay, bx, by) <= reach {
			return true
		}
		px, py = qx, qy
	}
	return false
}

// SegmentDistance is the shortest distance, in sheet widths, between the
// segments p1–p2 and q1–q2: 0 when they cross or touch. A segment whose
// ends are the same point is that point.
func SegmentDistance(p1, p2, q1, q2 Point) float64 {
	p1x, p1y := unit(p1)
	p2x, p2y := unit(p2)
	q1x, q1y := unit(q1)
	q2x, q2y := unit(q2)
	return segmentDistance(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y)
}

// unit is p in units of the sheet's width along both axes, so that
// distances are true on the paper.
func unit(p Point) (x, y float64) {
	return float64(p.X) / MaxCoord, float64(p.Y) / MaxCoord / Aspect
}

// segmentDistance is the distance between segments p1–p2 and q1–q2: if
// they do not cross, the nearest pair is an end of one and a point of the
// other.
func segmentDistance(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y float64) float64 {
	if segmentsCross(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y) {
		return 0
	}
	return min(
		pointSegmentDistance(p1x, p1y, q1x, q1y, q2x, q2y),
		pointSegmentDistance(p2x, p2y, q1x, q1y, q2x, q2y),
		pointSegmentDistance(q1x, q1y, p1x, p1y, p2x, p2y),
		pointSegmentDistance(q2x, q2y, p1x, p1y, p2x, p2y),
	)
}

// pointSegmentDistance is the distance from p to the segment a–b.
func pointSegmentDistance(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = max(0, min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	return math.Hypot(ax+t*dx-px, ay+t*dy-py)
}

// segmentsCross reports whether the segments properly intersect: each
// one's ends lie strictly on both sides of the other. Touching is left to
// the end-point distances.
func segmentsCross(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y float64) bool {
	cross := func(ax, ay, bx, by, cx, cy float64) float64 { return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax) }
	d1 := cross(q1x, q1y, q2x, q2y, p1x, p1y)
	d2 := cross(q1x, q1y, q2x, q2y, p2x, p2y)
	d3 := cross(p1x, p1y, p2x, p2y, q1x, q1y)
	d4 := cross(p1x, p1y, p2x, p2y, q2x, q2y)
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}
