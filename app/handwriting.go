package app

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The handwriting (ink) page of notes only: strokes drawn with a pen, a
// finger or a mouse on pages of paper, saved with the session's typed notes
// (storage.SaveNotes takes the encoding as its ink argument) and drawn
// again when the notes are opened.
//
// A page is a sheet of fixed proportions (A4 landscape). Points are kept in
// the sheet's own coordinates, 0 to 65535 across its width and down its
// height, so a page drawn in a small window looks the same, only larger,
// in a big one.

const (
	// inkAspect is a sheet's width over its height: A4 landscape.
	inkAspect = math.Sqrt2
	// inkCoordMax is the largest sheet coordinate.
	inkCoordMax = math.MaxUint16
	// inkWidthUnit is what a stroke's Width counts: 1/10000 of the sheet's
	// width.
	inkWidthUnit = 10000
	// inkPenWidth is the pen's width in inkWidthUnit: about 3 pixels on a
	// sheet 1100 pixels wide.
	inkPenWidth = 28
	// inkMaxWidth bounds a stroke's Width (a tenth of the sheet).
	inkMaxWidth = 1000
	// inkEraserRadius is how near, as a share of the sheet's width, the
	// eraser must come to a stroke to remove it.
	inkEraserRadius = 0.012
	// inkMaxPages bounds the pages of one session's notes.
	inkMaxPages = 1000
	// inkMaxStrokePoints bounds one stroke; a longer line goes on as a new
	// stroke.
	inkMaxStrokePoints = 1 << 16
	// inkUndoDepth is how many edits of one page Undo can take back.
	inkUndoDepth = 500
)

// The page's colours are a document's, not the theme's: dark ink on white
// paper, in a light or a dark theme alike.
var (
	inkPaperColour = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	inkColour      = color.NRGBA{R: 0x1a, G: 0x23, B: 0x7e, A: 0xff}
	inkEdgeColour  = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}
)

// inkPoint is a point on a sheet: X from 0 (left edge) to inkCoordMax
// (right edge), Y from 0 (top) to inkCoordMax (bottom).
type inkPoint struct{ X, Y uint16 }

// inkStroke is one line drawn without lifting the pen, or a dot (one
// point). Its points are the ones the pen passed through; the line drawn
// is smoothed through them.
type inkStroke struct {
	// Width is the pen's width in 1/10000 of the sheet's width, 1 to
	// inkMaxWidth.
	Width  uint16
	Points []inkPoint
}

// inkSheet is one page of handwriting, its strokes in the order drawn.
type inkSheet struct {
	Strokes []inkStroke
}

// inkMagic starts every encoding; the byte after it is the version.
const (
	inkMagic   = "AINK"
	inkVersion = 1
)

// errBadInk is what decodeInk's errors wrap.
var errBadInk = errors.New("bad ink encoding")

// encodeInk writes pages compactly, for storage.SaveNotes:
//
//	"AINK" version(1)
//	uvarint pages
//	  per page:   uvarint strokes
//	  per stroke: uvarint width, uvarint points (≥ 1),
//	              uvarint x, uvarint y of the first point,
//	              then zig-zag varint dx, dy to each next point
//
// Nearby points differ by little, so most points take two bytes. It refuses
// (an error, nothing written) more than inkMaxPages pages, a stroke without
// points or with more than inkMaxStrokePoints, and a width of 0 or over
// inkMaxWidth: decodeInk would refuse them.
func encodeInk(pages []inkSheet) ([]byte, error) {
	if len(pages) > inkMaxPages {
		return nil, fmt.Errorf("encoding ink: %d pages, at most %d", len(pages), inkMaxPages)
	}
	size := len(inkMagic) + 1 + binary.MaxVarintLen64
	for _, p := range pages {
		size += binary.MaxVarintLen64
		for _, s := range p.Strokes {
			size += 3*binary.MaxVarintLen64 + 2*len(s.Points)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, inkMagic...)
	b = append(b, inkVersion)
	b = binary.AppendUvarint(b, uint64(len(pages)))
	for i, p := range pages {
		b = binary.AppendUvarint(b, uint64(len(p.Strokes)))
		for j, s := range p.Strokes {
			switch {
			case len(s.Points) == 0:
				return nil, fmt.Errorf("encoding ink: page %d stroke %d has no points", i+1, j+1)
			case len(s.Points) > inkMaxStrokePoints:
				return nil, fmt.Errorf("encoding ink: page %d stroke %d has %d points, at most %d", i+1, j+1, len(s.Points), inkMaxStrokePoints)
			case s.Width == 0 || s.Width > inkMaxWidth:
				return nil, fmt.Errorf("encoding ink: page %d stroke %d has width %d, want 1..%d", i+1, j+1, s.Width, inkMaxWidth)
			}
			b = binary.AppendUvarint(b, uint64(s.Width))
			b = binary.AppendUvarint(b, uint64(len(s.Points)))
			first := s.Points[0]
			b = binary.AppendUvarint(b, uint64(first.X))
			b = binary.AppendUvarint(b, uint64(first.Y))
			prev := first
			for _, pt := range s.Points[1:] {
				b = binary.AppendVarint(b, int64(pt.X)-int64(prev.X))
				b = binary.AppendVarint(b, int64(pt.Y)-int64(prev.Y))
				prev = pt
			}
		}
	}
	return b, nil
}

// decodeInk reads what encodeInk wrote. Empty input (notes saved without
// ink) is no pages and no error. Anything else that is not exactly one
// well-formed encoding — another version, a count larger than the bytes
// that follow could hold, a point off the sheet, a width out of range,
// trailing bytes — gives an error wrapping errBadInk. It never panics and
// allocates no more than the input's length justifies.
func decodeInk(data []byte) ([]inkSheet, error) {
	if len(data) == 0 {
		return nil, nil
	}
	d := inkDecoder{b: data}
	if len(data) < len(inkMagic)+1 || string(data[:len(inkMagic)]) != inkMagic {
		return nil, fmt.Errorf("decoding ink: %w: not an ink encoding", errBadInk)
	}
	if v := data[len(inkMagic)]; v != inkVersion {
		return nil, fmt.Errorf("decoding ink: %w: version %d, this Assent reads %d", errBadInk, v, inkVersion)
	}
	d.b = data[len(inkMagic)+1:]
	// Each page takes at least a byte, each stroke at least four, each
	// point after the first at least two: counts above that are lies.
	nPages, err := d.count("pages", inkMaxPages, 1)
	if err != nil {
		return nil, err
	}
	pages := make([]inkSheet, nPages)
	for i := range pages {
		nStrokes, err := d.count("strokes", math.MaxInt32, 4)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		if nStrokes > 0 {
			pages[i].Strokes = make([]inkStroke, nStrokes)
		}
		for j := range pages[i].Strokes {
			s, err := d.stroke()
			if err != nil {
				return nil, fmt.Errorf("page %d stroke %d: %w", i+1, j+1, err)
			}
			pages[i].Strokes[j] = s
		}
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("decoding ink: %w: %d bytes after the last page", errBadInk, len(d.b))
	}
	return pages, nil
}

// inkDecoder reads the fields of an ink encoding from b.
type inkDecoder struct{ b []byte }

func (d *inkDecoder) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, fmt.Errorf("decoding ink: %w: %s cut short or too large", errBadInk, what)
	}
	d.b = d.b[n:]
	return v, nil
}

func (d *inkDecoder) varint(what string) (int64, error) {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		return 0, fmt.Errorf("decoding ink: %w: %s cut short or too large", errBadInk, what)
	}
	d.b = d.b[n:]
	return v, nil
}

// count reads a count of items that each need at least minBytes of what
// remains, and at most limit of them.
func (d *inkDecoder) count(what string, limit, minBytes int) (int, error) {
	v, err := d.uvarint(what)
	if err != nil {
		return 0, err
	}
	if v > uint64(limit) || v > uint64(len(d.b)/minBytes) {
		return 0, fmt.Errorf("decoding ink: %w: %d %s in %d bytes", errBadInk, v, what, len(d.b))
	}
	return int(v), nil
}

func (d *inkDecoder) stroke() (inkStroke, error) {
	w, err := d.uvarint("width")
	if err != nil {
		return inkStroke{}, err
	}
	if w == 0 || w > inkMaxWidth {
		return inkStroke{}, fmt.Errorf("decoding ink: %w: width %d", errBadInk, w)
	}
	n, err := d.uvarint("points")
	if err != nil {
		return inkStroke{}, err
	}
	if n == 0 || n > inkMaxStrokePoints || n-1 > uint64(len(d.b)/2) {
		return inkStroke{}, fmt.Errorf("decoding ink: %w: %d points in %d bytes", errBadInk, n, len(d.b))
	}
	x, err := d.uvarint("x")
	if err != nil {
		return inkStroke{}, err
	}
	y, err := d.uvarint("y")
	if err != nil {
		return inkStroke{}, err
	}
	if x > inkCoordMax || y > inkCoordMax {
		return inkStroke{}, fmt.Errorf("decoding ink: %w: point (%d, %d) off the page", errBadInk, x, y)
	}
	s := inkStroke{Width: uint16(w), Points: make([]inkPoint, n)}
	s.Points[0] = inkPoint{X: uint16(x), Y: uint16(y)}
	cx, cy := int64(x), int64(y)
	for k := 1; k < int(n); k++ {
		dx, err := d.varint("dx")
		if err != nil {
			return inkStroke{}, err
		}
		dy, err := d.varint("dy")
		if err != nil {
			return inkStroke{}, err
		}
		// Both deltas are bounded before adding, so the sums cannot
		// overflow.
		if dx < -inkCoordMax || dx > inkCoordMax || dy < -inkCoordMax || dy > inkCoordMax {
			return inkStroke{}, fmt.Errorf("decoding ink: %w: point %d off the page", errBadInk, k+1)
		}
		cx, cy = cx+dx, cy+dy
		if cx < 0 || cx > inkCoordMax || cy < 0 || cy > inkCoordMax {
			return inkStroke{}, fmt.Errorf("decoding ink: %w: point %d off the page", errBadInk, k+1)
		}
		s.Points[k] = inkPoint{X: uint16(cx), Y: uint16(cy)}
	}
	return s, nil
}

// inkTool is what a drag does on the page.
type inkTool int

const (
	// inkPen draws.
	inkPen inkTool = iota
	// inkEraser removes every stroke it touches, whole.
	inkEraser
)

// inkEdit is one change to a page, kept so that Undo can take it back.
type inkEdit struct {
	// added: a stroke was appended; undo drops the last stroke.
	added bool
	// erased are the strokes an eraser drag removed, by their index before
	// the drag, ascending.
	erased []inkErased
	// cleared is the page's strokes before Clear.
	cleared []inkStroke
}

// inkErased is a stroke removed by the eraser and where it was.
type inkErased struct {
	index  int
	stroke inkStroke
}

// inkCanvas is the handwriting widget: one page at a time of a set of
// pages, drawn on with the pen or the eraser by mouse, pen or touch
// (fyne.Draggable; a tap makes a dot). Each page has its own undo. It is
// used from the UI goroutine only.
type inkCanvas struct {
	widget.BaseWidget

	// OnChanged is called after each change of the pages' content: a
	// finished stroke, an erasure, undo, clear, a new page. Not while a
	// stroke is being drawn, nor on turning pages.
	OnChanged func()

	pages   []inkSheet
	current int
	tool    inkTool
	undo    [][]inkEdit // per page

	// drawing is the index of the stroke the pen is drawing on the current
	// page, or -1.
	drawing int
	// erasing collects what the eraser removes during one drag; erasingOn
	// says a drag is under way.
	erasing   []inkErased
	erasingOn bool
	// last is the previous drag position, in widget coordinates.
	last fyne.Position

	raster *canvas.Raster
	cache  inkCache
}

// inkCache is the current page drawn at one pixel size: ink colour, with
// the stroke coverage as alpha, over the paper drawn beneath it.
type inkCache struct {
	img   *image.NRGBA
	valid bool
}

var (
	_ fyne.Draggable     = (*inkCanvas)(nil)
	_ fyne.Tappable      = (*inkCanvas)(nil)
	_ desktop.Cursorable = (*inkCanvas)(nil)
)

// newInkCanvas returns a canvas showing the first of pages; no pages gives
// one empty page. The canvas keeps the pages; strokes are never changed in
// place, so the caller may keep its slice.
func newInkCanvas(pages []inkSheet) *inkCanvas {
	c := &inkCanvas{drawing: -1}
	c.setPages(pages)
	c.ExtendBaseWidget(c)
	return c
}

// setPages replaces every page, shows the first and forgets the undo
// history.
func (c *inkCanvas) setPages(pages []inkSheet) {
	c.pages = make([]inkSheet, max(1, len(pages)))
	for i, p := range pages {
		c.pages[i].Strokes = append([]inkStroke(nil), p.Strokes...)
	}
	c.undo = make([][]inkEdit, len(c.pages))
	c.current, c.drawing, c.erasing, c.erasingOn = 0, -1, nil, false
	c.redraw()
}

// sheets returns the pages as they are now. Strokes are shared, not
// copied: they never change once drawn.
func (c *inkCanvas) sheets() []inkSheet {
	out := make([]inkSheet, len(c.pages))
	for i, p := range c.pages {
		out[i].Strokes = append([]inkStroke(nil), p.Strokes...)
	}
	return out
}

// page is the index of the page shown, from 0.
func (c *inkCanvas) page() int { return c.current }

// pageCount is how many pages there are: at least one.
func (c *inkCanvas) pageCount() int { return len(c.pages) }

// setTool chooses the pen or the eraser.
func (c *inkCanvas) setTool(t inkTool) {
	c.finishDrag()
	c.tool = t
}

// showPage turns to page i (from 0); out of range does nothing.
func (c *inkCanvas) showPage(i int) {
	if i < 0 || i >= len(c.pages) || i == c.current {
		return
	}
	c.finishDrag()
	c.current = i
	c.redraw()
}

// newPage adds an empty page at the end and shows it.
func (c *inkCanvas) newPage() {
	if len(c.pages) >= inkMaxPages {
		return
	}
	c.finishDrag()
	c.pages = append(c.pages, inkSheet{})
	c.undo = append(c.undo, nil)
	c.current = len(c.pages) - 1
	c.redraw()
	c.changed()
}

// canUndo reports whether the current page has an edit to take back.
func (c *inkCanvas) canUndo() bool { return len(c.undo[c.current]) > 0 }

// empty reports whether the current page has no strokes.
func (c *inkCanvas) empty() bool { return len(c.pages[c.current].Strokes) == 0 }

// undoLast takes back the current page's last edit.
func (c *inkCanvas) undoLast() {
	c.finishDrag()
	edits := c.undo[c.current]
	if len(edits) == 0 {
		return
	}
	e := edits[len(edits)-1]
	c.undo[c.current] = edits[:len(edits)-1]
	p := &c.pages[c.current]
	switch {
	case e.added:
		if n := len(p.Strokes); n > 0 {
			p.Strokes = p.Strokes[: n-1 : n-1]
		}
	case e.cleared != nil:
		p.Strokes = e.cleared
	default:
		for _, er := range e.erased {
			i := min(er.index, len(p.Strokes))
			p.Strokes = append(p.Strokes[:i:i], append([]inkStroke{er.stroke}, p.Strokes[i:]...)...)
		}
	}
	c.redraw()
	c.changed()
}

// clear removes every stroke of the current page (undo brings them back).
func (c *inkCanvas) clear() {
	c.finishDrag()
	p := &c.pages[c.current]
	if len(p.Strokes) == 0 {
		return
	}
	c.pushEdit(inkEdit{cleared: p.Strokes})
	p.Strokes = nil
	c.redraw()
	c.changed()
}

func (c *inkCanvas) pushEdit(e inkEdit) {
	edits := append(c.undo[c.current], e)
	if len(edits) > inkUndoDepth {
		edits = append([]inkEdit(nil), edits[len(edits)-inkUndoDepth:]...)
	}
	c.undo[c.current] = edits
}

func (c *inkCanvas) changed() {
	if c.OnChanged != nil {
		c.OnChanged()
	}
}

// Cursor is a cross-hair over the page.
func (c *inkCanvas) Cursor() desktop.Cursor { return desktop.CrosshairCursor }

// Tapped draws a dot with the pen, or erases what is under the eraser.
func (c *inkCanvas) Tapped(ev *fyne.PointEvent) {
	c.finishDrag()
	pt := c.toSheet(ev.Position)
	if c.tool == inkEraser {
		c.erasingOn = true
		c.eraseAlong(pt, pt)
		c.finishDrag()
		return
	}
	c.pages[c.current].Strokes = append(c.pages[c.current].Strokes, inkStroke{Width: inkPenWidth, Points: []inkPoint{pt}})
	c.pushEdit(inkEdit{added: true})
	c.drawPiece(len(c.pages[c.current].Strokes)-1, true)
	c.changed()
}

// Dragged extends the stroke being drawn, or erases along the way.
// ev.Position is where the pointer is now and ev.Dragged how far it moved
// since the last event, so a drag's first event also says where it began.
func (c *inkCanvas) Dragged(ev *fyne.DragEvent) {
	from := c.last
	if c.drawing < 0 && !c.erasingOn {
		from = ev.Position.Subtract(ev.Dragged)
	}
	c.last = ev.Position
	if c.tool == inkEraser {
		c.erasingOn = true
		c.eraseAlong(c.toSheet(from), c.toSheet(ev.Position))
		return
	}
	p := &c.pages[c.current]
	if c.drawing < 0 {
		p.Strokes = append(p.Strokes, inkStroke{Width: inkPenWidth, Points: []inkPoint{c.toSheet(from)}})
		c.drawing = len(p.Strokes) - 1
	}
	s := &p.Strokes[c.drawing]
	pt := c.toSheet(ev.Position)
	if last := s.Points[len(s.Points)-1]; c.near(last, pt) {
		return
	}
	if len(s.Points) == inkMaxStrokePoints {
		// A very long line goes on as a new stroke from the same point.
		c.finishDrag()
		p.Strokes = append(p.Strokes, inkStroke{Width: inkPenWidth, Points: []inkPoint{s.Points[len(s.Points)-1]}})
		c.drawing = len(p.Strokes) - 1
		s = &p.Strokes[c.drawing]
	}
	s.Points = append(s.Points, pt)
	c.drawPiece(c.drawing, false)
}

// DragEnd finishes the stroke or the erasure.
func (c *inkCanvas) DragEnd() { c.finishDrag() }

// finishDrag ends a stroke or an erasure under way, recording it for undo
// and telling OnChanged.
func (c *inkCanvas) finishDrag() {
	switch {
	case c.drawing >= 0:
		i := c.drawing
		c.drawing = -1
		c.pushEdit(inkEdit{added: true})
		c.drawPiece(i, true)
		c.changed()
	case c.erasingOn:
		c.erasingOn = false
		if len(c.erasing) == 0 {
			return
		}
		// Indices were taken as strokes went, each after the earlier
		// removals; make them indices into the page before the drag.
		erased := c.erasing
		c.erasing = nil
		orig := make([]inkErased, len(erased))
		copy(orig, erased)
		for k := len(orig) - 1; k >= 0; k-- {
			for j := k + 1; j < len(orig); j++ {
				if orig[j].index >= orig[k].index {
					orig[j].index++
				}
			}
		}
		inkSortErased(orig)
		c.pushEdit(inkEdit{erased: orig})
		c.changed()
	}
}

// inkSortErased sorts by index (an insertion sort: erasures are few).
func inkSortErased(e []inkErased) {
	for i := 1; i < len(e); i++ {
		for j := i; j > 0 && e[j].index < e[j-1].index; j-- {
			e[j], e[j-1] = e[j-1], e[j]
		}
	}
}

// eraseAlong removes every stroke of the current page that the eraser
// touches on its way from a to b.
func (c *inkCanvas) eraseAlong(a, b inkPoint) {
	p := &c.pages[c.current]
	ax, ay := inkUnit(a)
	bx, by := inkUnit(b)
	removed := false
	for i := len(p.Strokes) - 1; i >= 0; i-- {
		s := p.Strokes[i]
		reach := inkEraserRadius + float64(s.Width)/inkWidthUnit/2
		if inkStrokeNear(s, ax, ay, bx, by, reach) {
			c.erasing = append(c.erasing, inkErased{index: i, stroke: s})
			p.Strokes = append(p.Strokes[:i:i], p.Strokes[i+1:]...)
			removed = true
		}
	}
	if removed {
		c.redraw()
	}
}

// inkUnit is a sheet point in units of the sheet's width, the same along
// both axes, so that distances are true.
func inkUnit(p inkPoint) (x, y float64) {
	return float64(p.X) / inkCoordMax, float64(p.Y) / inkCoordMax / inkAspect
}

// inkStrokeNear reports whether any piece of s comes within reach of the
// segment a–b (all in sheet-width units).
func inkStrokeNear(s inkStroke, ax, ay, bx, by, reach float64) bool {
	px, py := inkUnit(s.Points[0])
	if len(s.Points) == 1 {
		return inkSegSegDist(px, py, px, py, ax, ay, bx, by) <= reach
	}
	for _, q := range s.Points[1:] {
		qx, qy := inkUnit(q)
		if inkSegSegDist(px, py, qx, qy, ax, ay, bx, by) <= reach {
			return true
		}
		px, py = qx, qy
	}
	return false
}

// inkSegSegDist is the distance between segments p1–p2 and q1–q2.
func inkSegSegDist(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y float64) float64 {
	if inkSegmentsCross(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y) {
		return 0
	}
	return min(
		inkPointSegDist(p1x, p1y, q1x, q1y, q2x, q2y),
		inkPointSegDist(p2x, p2y, q1x, q1y, q2x, q2y),
		inkPointSegDist(q1x, q1y, p1x, p1y, p2x, p2y),
		inkPointSegDist(q2x, q2y, p1x, p1y, p2x, p2y),
	)
}

// inkPointSegDist is the distance from p to the segment a–b.
func inkPointSegDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = max(0, min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	return math.Hypot(ax+t*dx-px, ay+t*dy-py)
}

// inkSegmentsCross reports whether the segments properly intersect.
func inkSegmentsCross(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y float64) bool {
	cross := func(ax, ay, bx, by, cx, cy float64) float64 { return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax) }
	d1 := cross(q1x, q1y, q2x, q2y, p1x, p1y)
	d2 := cross(q1x, q1y, q2x, q2y, p2x, p2y)
	d3 := cross(p1x, p1y, p2x, p2y, q1x, q1y)
	d4 := cross(p1x, p1y, p2x, p2y, q2x, q2y)
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}

// pageRect is where the sheet lies in a widget of the given size: as large
// as fits, centred.
func (c *inkCanvas) pageRect(size fyne.Size) (fyne.Position, fyne.Size) {
	w := min(size.Width, size.Height*inkAspect)
	h := w / inkAspect
	return fyne.NewPos((size.Width-w)/2, (size.Height-h)/2), fyne.NewSize(w, h)
}

// toSheet turns a position in the widget into a sheet point; positions off
// the sheet land on its edge.
func (c *inkCanvas) toSheet(pos fyne.Position) inkPoint {
	o, s := c.pageRect(c.Size())
	if s.Width <= 0 || s.Height <= 0 {
		return inkPoint{}
	}
	conv := func(v, origin, length float32) uint16 {
		f := float64((v - origin) / length)
		if math.IsNaN(f) {
			return 0
		}
		return uint16(math.Round(max(0, min(1, f)) * inkCoordMax))
	}
	return inkPoint{X: conv(pos.X, o.X, s.Width), Y: conv(pos.Y, o.Y, s.Height)}
}

// near reports whether two sheet points are under a device-independent
// unit apart on screen: not worth a new point.
func (c *inkCanvas) near(a, b inkPoint) bool {
	_, s := c.pageRect(c.Size())
	dx := (float64(a.X) - float64(b.X)) / inkCoordMax * float64(s.Width)
	dy := (float64(a.Y) - float64(b.Y)) / inkCoordMax * float64(s.Height)
	return dx*dx+dy*dy < 1
}

// redraw forgets the drawn page and draws it again from its strokes.
func (c *inkCanvas) redraw() {
	c.cache.valid = false
	if c.raster != nil {
		canvas.Refresh(c.raster)
	}
}

// drawPiece adds to the drawn page the part of stroke i that its latest
// point made final; with end, the stroke's last part too. Drawing a part
// twice does no harm: coverage is kept as the maximum.
func (c *inkCanvas) drawPiece(i int, end bool) {
	if !c.cache.valid || c.raster == nil {
		c.redraw()
		return
	}
	s := c.pages[c.current].Strokes[i]
	img := c.cache.img
	b := img.Bounds()
	pen := inkPen2px(s, b.Dx())
	// A new point completes the piece before the last; the last piece
	// waits for the end of the stroke.
	n := len(s.Points)
	piece := n - 2
	if end {
		piece = n - 1
	}
	inkPieces(s.Points, float64(b.Dx()), float64(b.Dy()), piece, piece, func(ax, ay, bx, by float64) {
		inkSegment(img, ax, ay, bx, by, pen)
	})
	canvas.Refresh(c.raster)
}

// render is the raster's generator: the current page at w×h pixels.
func (c *inkCanvas) render(w, h int) image.Image {
	if w <= 0 || h <= 0 {
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	}
	if c.cache.valid && c.cache.img.Bounds().Dx() == w && c.cache.img.Bounds().Dy() == h {
		return c.cache.img
	}
	img := c.cache.img
	if img == nil || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		img = image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2] = inkColour.R, inkColour.G, inkColour.B
		}
	} else {
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 0
		}
	}
	for i, s := range c.pages[c.current].Strokes {
		pen := inkPen2px(s, w)
		last := len(s.Points) - 1
		if i == c.drawing {
			last-- // the stroke's last piece waits for its end
		}
		inkPieces(s.Points, float64(w), float64(h), 0, last, func(ax, ay, bx, by float64) {
			inkSegment(img, ax, ay, bx, by, pen)
		})
	}
	c.cache = inkCache{img: img, valid: true}
	return img
}

// inkPen2px is a stroke's pen radius in pixels on a page w pixels wide.
func inkPen2px(s inkStroke, w int) float64 {
	return max(0.6, float64(s.Width)/inkWidthUnit*float64(w)/2)
}

// inkPieces calls seg for the line segments of pieces first to last of
// the smoothed path through pts, on a page w×h pixels. With n points there
// are n pieces: piece 0 goes straight from the first point to the midpoint
// of the first two; piece k (0 < k < n-1) is a quadratic curve from
// midpoint to midpoint with point k as its control; piece n-1 goes straight
// on to the last point. One point is a dot: one segment of length zero.
// The path passes through the first and last points and bends smoothly
// through the rest, and piece k depends on points k-1 to k+1 only, so a
// stroke can be drawn piece by piece as it grows.
func inkPieces(pts []inkPoint, w, h float64, first, last int, seg func(ax, ay, bx, by float64)) {
	n := len(pts)
	first, last = max(first, 0), min(last, n-1)
	if n == 0 || first > last {
		return
	}
	px := func(i int) (float64, float64) {
		return float64(pts[i].X) / inkCoordMax * w, float64(pts[i].Y) / inkCoordMax * h
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

// inkSegment paints a round-ended line of radius r from a to b into img's
// alpha, anti-aliased, keeping each pixel's larger coverage.
func inkSegment(img *image.NRGBA, ax, ay, bx, by, r float64) {
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

// CreateRenderer draws the paper and, over it, the ink.
func (c *inkCanvas) CreateRenderer() fyne.WidgetRenderer {
	paper := canvas.NewRectangle(inkPaperColour)
	paper.StrokeColor = inkEdgeColour
	paper.StrokeWidth = 1
	c.raster = canvas.NewRaster(c.render)
	c.cache.valid = false
	return &inkRenderer{c: c, paper: paper, raster: c.raster}
}

// inkRenderer lays the sheet out in the widget.
type inkRenderer struct {
	c      *inkCanvas
	paper  *canvas.Rectangle
	raster *canvas.Raster
}

// Layout puts the paper and the ink where the sheet fits.
func (r *inkRenderer) Layout(size fyne.Size) {
	pos, s := r.c.pageRect(size)
	r.paper.Move(pos)
	r.paper.Resize(s)
	r.raster.Move(pos)
	r.raster.Resize(s)
}

// MinSize leaves room to write a word or two.
func (r *inkRenderer) MinSize() fyne.Size { return fyne.NewSize(240, 240/inkAspect) }

// Refresh lays out again and redraws the ink (from the cache if valid).
func (r *inkRenderer) Refresh() {
	r.Layout(r.c.Size())
	r.paper.Refresh()
	r.raster.Refresh()
}

// Objects are the paper, then the ink over it.
func (r *inkRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.paper, r.raster} }

// Destroy has nothing to release.
func (r *inkRenderer) Destroy() {}

// inkPage is the handwriting part of the notes: the ink canvas under a
// toolbar (Pen, Eraser, Undo, Clear, Previous page, Next page, New page,
// "page 2 of 3"). The session screen places content() beside or below the
// typed notes and saves through OnChanged.
type inkPage struct {
	canvas *inkCanvas

	pen, eraser, undo, clear *widget.Button
	prev, next, add          *widget.Button
	pageLabel                *widget.Label

	// OnChanged is called after each change of the handwriting (not while
	// a stroke is being drawn, nor on turning pages); the owner saves
	// encoded() with the notes.
	OnChanged func()
}

// newInkPage returns the handwriting page showing pages (from decodeInk of
// the stored notes; none gives one empty page), with the pen chosen.
func newInkPage(pages []inkSheet) *inkPage {
	p := &inkPage{canvas: newInkCanvas(pages)}
	p.pen = widget.NewButtonWithIcon("Pen", theme.DocumentCreateIcon(), func() { p.choose(inkPen) })
	p.eraser = widget.NewButtonWithIcon("Eraser", theme.ContentRemoveIcon(), func() { p.choose(inkEraser) })
	p.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), p.canvas.undoLast)
	p.clear = widget.NewButtonWithIcon("Clear", theme.DeleteIcon(), p.canvas.clear)
	p.prev = widget.NewButtonWithIcon("Previous page", theme.NavigateBackIcon(), func() { p.turn(-1) })
	p.next = widget.NewButtonWithIcon("Next page", theme.NavigateNextIcon(), func() { p.turn(+1) })
	p.add = widget.NewButtonWithIcon("New page", theme.ContentAddIcon(), p.canvas.newPage)
	p.pageLabel = widget.NewLabel("")
	p.canvas.OnChanged = func() {
		p.refresh()
		if p.OnChanged != nil {
			p.OnChanged()
		}
	}
	p.refresh()
	return p
}

// content is the toolbar over the page.
func (p *inkPage) content() fyne.CanvasObject {
	tools := container.NewHBox(p.pen, p.eraser, widget.NewSeparator(), p.undo, p.clear,
		widget.NewSeparator(), p.prev, p.pageLabel, p.next, p.add)
	return container.NewBorder(container.NewHScroll(tools), nil, nil, nil, p.canvas)
}

// encoded is the handwriting as encodeInk writes it, for
// storage.SaveNotes.
func (p *inkPage) encoded() ([]byte, error) { return encodeInk(p.canvas.sheets()) }

// choose selects the pen or the eraser.
func (p *inkPage) choose(t inkTool) {
	p.canvas.setTool(t)
	p.refresh()
}

// turn shows the previous (-1) or next (+1) page.
func (p *inkPage) turn(by int) {
	p.canvas.showPage(p.canvas.page() + by)
	p.refresh()
}

// refresh shows the tool chosen, the page number, and enables what can be
// done now.
func (p *inkPage) refresh() {
	c := p.canvas
	p.pen.Importance, p.eraser.Importance = widget.MediumImportance, widget.MediumImportance
	if c.tool == inkEraser {
		p.eraser.Importance = widget.HighImportance
	} else {
		p.pen.Importance = widget.HighImportance
	}
	p.pen.Refresh()
	p.eraser.Refresh()
	enable := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	enable(p.undo, c.canUndo())
	enable(p.clear, !c.empty())
	enable(p.prev, c.page() > 0)
	enable(p.next, c.page() < c.pageCount()-1)
	// One empty page at the end is enough.
	enable(p.add, len(c.pages[len(c.pages)-1].Strokes) > 0 && c.pageCount() < inkMaxPages)
	p.pageLabel.SetText(fmt.Sprintf("page %d of %d", c.page()+1, c.pageCount()))
}
