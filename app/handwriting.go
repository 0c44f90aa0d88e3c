package app

import (
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

	"github.com/assent-recorder/assent/ink"
)

// The handwriting page of notes only: strokes drawn with a pen, a finger
// or a mouse on sheets of paper, saved with the session's typed notes
// (storage.SaveNotes takes ink.Encode's bytes) and drawn again when the
// notes are opened. What a sheet holds, how it is saved, erased and drawn
// is package ink; this file is the widget that follows the pointer.

// undoDepth is how many edits of one page Undo can take back.
const undoDepth = 500

// bottomEdge is where, as a share of the page's height, the bottom band
// begins: a stroke finished there on the last page turns to a new page, so
// that writing flows on.
const bottomEdge = 0.92

// edgeColour outlines the paper on screen; processPaper and processEdge
// mark a page of private process notes.
var (
	edgeColour   = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}
	processPaper = color.NRGBA{R: 0xff, G: 0xf8, B: 0xe1, A: 0xff}
	processEdge  = color.NRGBA{R: 0xe6, G: 0x51, B: 0x00, A: 0xff}
)

// pageEdit is one change to a page, kept so that Undo can take it back
// and Redo make it again.
type pageEdit struct {
	// added: a stroke was appended; undo drops the last stroke. stroke is
	// the stroke dropped, kept for redo.
	added  bool
	stroke ink.Stroke
	// erased are the strokes an eraser drag removed, by their index before
	// the drag, ascending.
	erased []erasedStroke
	// cleared is the page's strokes before Clear.
	cleared []ink.Stroke
}

// erasedStroke is a stroke removed by the eraser and where it was.
type erasedStroke struct {
	index  int
	stroke ink.Stroke
}

// handwritingCanvas is the handwriting widget: one page at a time of a
// set of pages, drawn on with the pen or the eraser by mouse, pen or touch
// (fyne.Draggable; a tap makes a dot). Each page has its own undo. It is
// used from the UI goroutine only.
type handwritingCanvas struct {
	widget.BaseWidget

	// OnChanged is called after each change of the pages' content: a
	// finished stroke, an erasure, undo, clear, a new page. Not while a
	// stroke is being drawn, nor on turning pages.
	OnChanged func()

	pages   []ink.Sheet
	current int
	tool    ink.Tool
	undo    [][]pageEdit // per page
	redo    [][]pageEdit // per page: edits undone, the last undone last

	// drawing is the index of the stroke the pen is drawing on the current
	// page, or -1.
	drawing int
	// erasing collects what the eraser removes during one drag; erasingOn
	// says a drag is under way.
	erasing   []erasedStroke
	erasingOn bool
	// last is the previous drag position, in widget coordinates.
	last fyne.Position

	raster *canvas.Raster
	cache  pageCache

	// onWidth is called after a resize that changed the width (the
	// scroller around the canvas lays it out again for its new MinSize).
	onWidth func()
}

// pageCache is the current page drawn at one pixel size, as ink.Render
// draws it: ink colour with the strokes' coverage as alpha, over the paper
// drawn beneath it.
type pageCache struct {
	img   *image.NRGBA
	valid bool
}

var (
	_ fyne.Draggable     = (*handwritingCanvas)(nil)
	_ fyne.Tappable      = (*handwritingCanvas)(nil)
	_ desktop.Cursorable = (*handwritingCanvas)(nil)
)

// newHandwritingCanvas returns a canvas showing the first of pages; no
// pages gives one empty page. The canvas keeps the pages; strokes are never
// changed in place, so the caller may keep its slice.
func newHandwritingCanvas(pages []ink.Sheet) *handwritingCanvas {
	c := &handwritingCanvas{drawing: -1}
	c.setPages(pages)
	c.ExtendBaseWidget(c)
	return c
}

// setPages replaces every page, shows the first and forgets the undo
// history.
func (c *handwritingCanvas) setPages(pages []ink.Sheet) {
	c.pages = make([]ink.Sheet, max(1, len(pages)))
	for i, p := range pages {
		c.pages[i].Kind = p.Kind
		c.pages[i].Strokes = append([]ink.Stroke(nil), p.Strokes...)
	}
	c.undo = make([][]pageEdit, len(c.pages))
	c.redo = make([][]pageEdit, len(c.pages))
	c.current, c.drawing, c.erasing, c.erasingOn = 0, -1, nil, false
	c.redraw()
}

// sheets returns the pages as they are now. Strokes are shared, not
// copied: they never change once drawn.
func (c *handwritingCanvas) sheets() []ink.Sheet {
	out := make([]ink.Sheet, len(c.pages))
	for i, p := range c.pages {
		out[i].Kind = p.Kind
		out[i].Strokes = append([]ink.Stroke(nil), p.Strokes...)
	}
	return out
}

// page is the index of the page shown, from 0.
func (c *handwritingCanvas) page() int { return c.current }

// pageCount is how many pages there are: at least one.
func (c *handwritingCanvas) pageCount() int { return len(c.pages) }

// setTool chooses the pen or the eraser.
func (c *handwritingCanvas) setTool(t ink.Tool) {
	c.finishDrag()
	c.tool = t
}

// showPage turns to page i (from 0); out of range does nothing.
func (c *handwritingCanvas) showPage(i int) {
	if i < 0 || i >= len(c.pages) || i == c.current {
		return
	}
	c.finishDrag()
	c.current = i
	c.redraw()
}

// kind is the kind of the page shown.
func (c *handwritingCanvas) kind() ink.Kind { return c.pages[c.current].Kind }

// setKind makes the page shown progress or process notes.
func (c *handwritingCanvas) setKind(k ink.Kind) {
	if c.pages[c.current].Kind == k {
		return
	}
	c.finishDrag()
	c.pages[c.current].Kind = k
	c.Refresh()
	c.changed()
}

// newPage adds an empty page at the end, of the kind of the page shown,
// and shows it.
func (c *handwritingCanvas) newPage() {
	if len(c.pages) >= ink.MaxPages {
		return
	}
	c.finishDrag()
	c.pages = append(c.pages, ink.Sheet{Kind: c.kind()})
	c.undo = append(c.undo, nil)
	c.redo = append(c.redo, nil)
	c.current = len(c.pages) - 1
	c.redraw()
	c.changed()
}

// canUndo reports whether the current page has an edit to take back.
func (c *handwritingCanvas) canUndo() bool { return len(c.undo[c.current]) > 0 }

// canRedo reports whether the current page has an undone edit to make
// again.
func (c *handwritingCanvas) canRedo() bool { return len(c.redo[c.current]) > 0 }

// empty reports whether the current page has no strokes.
func (c *handwritingCanvas) empty() bool { return len(c.pages[c.current].Strokes) == 0 }

// undoLast takes back the current page's last edit.
func (c *handwritingCanvas) undoLast() {
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
			e.stroke = p.Strokes[n-1]
			p.Strokes = p.Strokes[: n-1 : n-1]
		}
	case e.cleared != nil:
		p.Strokes = e.cleared
	default:
		for _, er := range e.erased {
			i := min(er.index, len(p.Strokes))
			p.Strokes = append(p.Strokes[:i:i], append([]ink.Stroke{er.stroke}, p.Strokes[i:]...)...)
		}
	}
	c.redo[c.current] = append(c.redo[c.current], e)
	c.redraw()
	c.changed()
}

// redoLast makes the current page's last undone edit again.
func (c *handwritingCanvas) redoLast() {
	c.finishDrag()
	edits := c.redo[c.current]
	if len(edits) == 0 {
		return
	}
	e := edits[len(edits)-1]
	c.redo[c.current] = edits[:len(edits)-1]
	p := &c.pages[c.current]
	switch {
	case e.added:
		if len(e.stroke.Points) > 0 {
			p.Strokes = append(p.Strokes[:len(p.Strokes):len(p.Strokes)], e.stroke)
		}
	case e.cleared != nil:
		p.Strokes = nil
	default:
		// The erased strokes are where they were put back: remove them
		// again, from the last.
		for k := len(e.erased) - 1; k >= 0; k-- {
			i := e.erased[k].index
			if i < len(p.Strokes) {
				p.Strokes = append(p.Strokes[:i:i], p.Strokes[i+1:]...)
			}
		}
	}
	c.undo[c.current] = append(c.undo[c.current], pageEdit{added: e.added, erased: e.erased, cleared: e.cleared})
	c.redraw()
	c.changed()
}

// clear removes every stroke of the current page (undo brings them back).
func (c *handwritingCanvas) clear() {
	c.finishDrag()
	p := &c.pages[c.current]
	if len(p.Strokes) == 0 {
		return
	}
	c.pushEdit(pageEdit{cleared: p.Strokes})
	p.Strokes = nil
	c.redraw()
	c.changed()
}

// pushEdit records a new edit of the current page for undo; what was
// undone before it can no longer be redone.
func (c *handwritingCanvas) pushEdit(e pageEdit) {
	c.redo[c.current] = nil
	edits := append(c.undo[c.current], e)
	if len(edits) > undoDepth {
		edits = append([]pageEdit(nil), edits[len(edits)-undoDepth:]...)
	}
	c.undo[c.current] = edits
}

func (c *handwritingCanvas) changed() {
	if c.OnChanged != nil {
		c.OnChanged()
	}
}

// Cursor is a cross-hair over the page.
func (c *handwritingCanvas) Cursor() desktop.Cursor { return desktop.CrosshairCursor }

// Tapped draws a dot with the pen, or erases what is under the eraser.
func (c *handwritingCanvas) Tapped(ev *fyne.PointEvent) {
	c.finishDrag()
	pt := c.toSheet(ev.Position)
	if c.tool == ink.Eraser {
		c.erasingOn = true
		c.eraseAlong(pt, pt)
		c.finishDrag()
		return
	}
	c.pages[c.current].Strokes = append(c.pages[c.current].Strokes, ink.Stroke{Width: ink.PenWidth, Points: []ink.Point{pt}})
	c.pushEdit(pageEdit{added: true})
	c.drawPiece(len(c.pages[c.current].Strokes)-1, true)
	c.changed()
}

// Dragged extends the stroke being drawn, or erases along the way.
// ev.Position is where the pointer is now and ev.Dragged how far it moved
// since the last event, so a drag's first event also says where it began.
func (c *handwritingCanvas) Dragged(ev *fyne.DragEvent) {
	from := c.last
	if c.drawing < 0 && !c.erasingOn {
		from = ev.Position.Subtract(ev.Dragged)
	}
	c.last = ev.Position
	if c.tool == ink.Eraser {
		c.erasingOn = true
		c.eraseAlong(c.toSheet(from), c.toSheet(ev.Position))
		return
	}
	p := &c.pages[c.current]
	if c.drawing < 0 {
		p.Strokes = append(p.Strokes, ink.Stroke{Width: ink.PenWidth, Points: []ink.Point{c.toSheet(from)}})
		c.drawing = len(p.Strokes) - 1
	}
	s := &p.Strokes[c.drawing]
	pt := c.toSheet(ev.Position)
	if last := s.Points[len(s.Points)-1]; c.near(last, pt) {
		return
	}
	if len(s.Points) == ink.MaxStrokePoints {
		// A very long line goes on as a new stroke from the same point,
		// on the same page: the page turns only when the pen lifts.
		c.endDrag(false)
		p.Strokes = append(p.Strokes, ink.Stroke{Width: ink.PenWidth, Points: []ink.Point{s.Points[len(s.Points)-1]}})
		c.drawing = len(p.Strokes) - 1
		s = &p.Strokes[c.drawing]
	}
	s.Points = append(s.Points, pt)
	c.drawPiece(c.drawing, false)
}

// DragEnd finishes the stroke or the erasure.
func (c *handwritingCanvas) DragEnd() { c.finishDrag() }

// finishDrag ends a stroke or an erasure under way, recording it for undo
// and telling OnChanged; a stroke that reaches the bottom band of the last
// page turns to a new page.
func (c *handwritingCanvas) finishDrag() { c.endDrag(true) }

// endDrag is finishDrag, turning the page only if mayTurn.
func (c *handwritingCanvas) endDrag(mayTurn bool) {
	switch {
	case c.drawing >= 0:
		i := c.drawing
		c.drawing = -1
		c.pushEdit(pageEdit{added: true})
		c.drawPiece(i, true)
		c.changed()
		if mayTurn && c.current == len(c.pages)-1 && reachesBottom(c.pages[c.current].Strokes[i]) {
			c.newPage()
		}
	case c.erasingOn:
		c.erasingOn = false
		if len(c.erasing) == 0 {
			return
		}
		// Indices were taken as strokes went, each after the earlier
		// removals; make them indices into the page before the drag.
		erased := c.erasing
		c.erasing = nil
		orig := make([]erasedStroke, len(erased))
		copy(orig, erased)
		for k := len(orig) - 1; k >= 0; k-- {
			for j := k + 1; j < len(orig); j++ {
				if orig[j].index >= orig[k].index {
					orig[j].index++
				}
			}
		}
		sortErased(orig)
		c.pushEdit(pageEdit{erased: orig})
		c.changed()
	}
}

// reachesBottom reports whether stroke s goes into the page's bottom band.
func reachesBottom(s ink.Stroke) bool {
	for _, p := range s.Points {
		if float64(p.Y) >= bottomEdge*ink.MaxCoord {
			return true
		}
	}
	return false
}

// sortErased sorts by index (an insertion sort: erasures are few).
func sortErased(e []erasedStroke) {
	for i := 1; i < len(e); i++ {
		for j := i; j > 0 && e[j].index < e[j-1].index; j-- {
			e[j], e[j-1] = e[j-1], e[j]
		}
	}
}

// eraseAlong removes every stroke of the current page that the eraser
// touches on its way from a to b.
func (c *handwritingCanvas) eraseAlong(a, b ink.Point) {
	p := &c.pages[c.current]
	removed := false
	for i := len(p.Strokes) - 1; i >= 0; i-- {
		s := p.Strokes[i]
		if ink.EraserTouches(s, a, b) {
			c.erasing = append(c.erasing, erasedStroke{index: i, stroke: s})
			p.Strokes = append(p.Strokes[:i:i], p.Strokes[i+1:]...)
			removed = true
		}
	}
	if removed {
		c.redraw()
	}
}

// pageRect is where the sheet lies in a widget of the given size: the
// whole width, centred from top to bottom when there is room. In the
// handwriting page the widget scrolls (MinSize asks for the sheet's
// height), so a wide window or a tablet's screen gives a wide sheet.
func (c *handwritingCanvas) pageRect(size fyne.Size) (fyne.Position, fyne.Size) {
	w := size.Width
	h := w / ink.Aspect
	return fyne.NewPos(0, max(0, (size.Height-h)/2)), fyne.NewSize(w, h)
}

// Resize lays the canvas out at size and, when its width changed, tells
// onWidth: the sheet's height, and so MinSize, follows the width.
func (c *handwritingCanvas) Resize(size fyne.Size) {
	changed := size.Width != c.Size().Width
	c.BaseWidget.Resize(size)
	if changed && c.onWidth != nil {
		c.onWidth()
	}
}

// toSheet turns a position in the widget into a sheet point; positions off
// the sheet land on its edge.
func (c *handwritingCanvas) toSheet(pos fyne.Position) ink.Point {
	o, s := c.pageRect(c.Size())
	if s.Width <= 0 || s.Height <= 0 {
		return ink.Point{}
	}
	conv := func(v, origin, length float32) uint16 {
		f := float64((v - origin) / length)
		if math.IsNaN(f) {
			return 0
		}
		return uint16(math.Round(max(0, min(1, f)) * ink.MaxCoord))
	}
	return ink.Point{X: conv(pos.X, o.X, s.Width), Y: conv(pos.Y, o.Y, s.Height)}
}

// near reports whether two sheet points are under a device-independent
// unit apart on screen: not worth a new point.
func (c *handwritingCanvas) near(a, b ink.Point) bool {
	_, s := c.pageRect(c.Size())
	dx := (float64(a.X) - float64(b.X)) / ink.MaxCoord * float64(s.Width)
	dy := (float64(a.Y) - float64(b.Y)) / ink.MaxCoord * float64(s.Height)
	return dx*dx+dy*dy < 1
}

// redraw forgets the drawn page and draws it again from its strokes.
func (c *handwritingCanvas) redraw() {
	c.cache.valid = false
	if c.raster != nil {
		canvas.Refresh(c.raster)
	}
}

// drawPiece adds to the drawn page the part of stroke i that its latest
// point made final; with end, the stroke's last part too. Drawing a part
// twice does no harm: coverage is kept as the maximum.
func (c *handwritingCanvas) drawPiece(i int, end bool) {
	if !c.cache.valid || c.raster == nil {
		c.redraw()
		return
	}
	s := c.pages[c.current].Strokes[i]
	// A new point completes the piece before the last; the last piece
	// waits for the end of the stroke.
	piece := len(s.Points) - 2
	if end {
		piece++
	}
	ink.DrawPieces(c.cache.img, s, piece, piece)
	canvas.Refresh(c.raster)
}

// render is the raster's generator: the current page at w×h pixels.
func (c *handwritingCanvas) render(w, h int) image.Image {
	if w <= 0 || h <= 0 {
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	}
	if c.cache.valid && c.cache.img.Bounds().Dx() == w && c.cache.img.Bounds().Dy() == h {
		return c.cache.img
	}
	img := c.cache.img
	if img == nil || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		img = image.NewNRGBA(image.Rect(0, 0, w, h))
	}
	ink.Clear(img)
	for i, s := range c.pages[c.current].Strokes {
		last := len(s.Points) - 1
		if i == c.drawing {
			last-- // the stroke's last piece waits for its end
		}
		ink.DrawPieces(img, s, 0, last)
	}
	c.cache = pageCache{img: img, valid: true}
	return img
}

// CreateRenderer draws the paper and, over it, the ink.
func (c *handwritingCanvas) CreateRenderer() fyne.WidgetRenderer {
	paper := canvas.NewRectangle(ink.PaperColour)
	paper.StrokeColor = edgeColour
	paper.StrokeWidth = 1
	c.raster = canvas.NewRaster(c.render)
	c.cache.valid = false
	return &handwritingRenderer{c: c, paper: paper, raster: c.raster}
}

// handwritingRenderer lays the sheet out in the widget.
type handwritingRenderer struct {
	c      *handwritingCanvas
	paper  *canvas.Rectangle
	raster *canvas.Raster
}

// Layout puts the paper and the ink where the sheet fits.
func (r *handwritingRenderer) Layout(size fyne.Size) {
	pos, s := r.c.pageRect(size)
	r.paper.Move(pos)
	r.paper.Resize(s)
	r.raster.Move(pos)
	r.raster.Resize(s)
}

// MinSize leaves room to write a word or two, and is as tall as the sheet
// at the canvas's width.
func (r *handwritingRenderer) MinSize() fyne.Size {
	return fyne.NewSize(240, max(240, r.c.Size().Width)/ink.Aspect)
}

// Refresh lays out again, colours the paper by the page's kind and redraws
// the ink (from the cache if valid).
func (r *handwritingRenderer) Refresh() {
	r.Layout(r.c.Size())
	r.paper.FillColor, r.paper.StrokeColor, r.paper.StrokeWidth = ink.PaperColour, edgeColour, 1
	if r.c.kind().Private() {
		r.paper.FillColor, r.paper.StrokeColor, r.paper.StrokeWidth = processPaper, processEdge, 3
	}
	r.paper.Refresh()
	r.raster.Refresh()
}

// Objects are the paper, then the ink over it.
func (r *handwritingRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.paper, r.raster}
}

// Destroy has nothing to release.
func (r *handwritingRenderer) Destroy() {}

// handwritingPage is the handwriting part of the notes: the canvas under a
// toolbar (Pen, Eraser, Undo, Clear, Previous page, Next page, New page,
// "page 2 of 3"). The session screen places content() beside or below the
// typed notes and saves through OnChanged.
type handwritingPage struct {
	canvas *handwritingCanvas
	// scroll holds the canvas: the sheet is as wide as the page and
	// scrolls when taller.
	scroll *container.Scroll

	// private makes the page shown process notes; privateMark says so
	// above the page while it is.
	private     *widget.Check
	privateMark *widget.Label

	pen, eraser, undo, redo, clear *widget.Button
	prev, next, add                *widget.Button
	// savePDF saves the page shown as a PDF, for the therapist; hidden
	// unless OnSavePDF is set.
	savePDF   *widget.Button
	OnSavePDF func()
	pageLabel *widget.Label

	// OnChanged is called after each change of the handwriting (not while
	// a stroke is being drawn, nor on turning pages); the owner saves
	// encoded() with the notes.
	OnChanged func()
}

// newHandwritingPage returns the handwriting page showing pages (from
// ink.Decode of the stored notes; none gives one empty page), with the pen
// chosen.
func newHandwritingPage(pages []ink.Sheet) *handwritingPage {
	p := &handwritingPage{canvas: newHandwritingCanvas(pages)}
	p.pen = widget.NewButtonWithIcon("Pen", theme.DocumentCreateIcon(), func() { p.choose(ink.Pen) })
	p.eraser = widget.NewButtonWithIcon("Eraser", theme.ContentRemoveIcon(), func() { p.choose(ink.Eraser) })
	p.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), p.canvas.undoLast)
	p.redo = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), p.canvas.redoLast)
	p.clear = widget.NewButtonWithIcon("Clear", theme.DeleteIcon(), p.canvas.clear)
	p.prev = widget.NewButtonWithIcon("Previous page", theme.NavigateBackIcon(), func() { p.turn(-1) })
	p.next = widget.NewButtonWithIcon("Next page", theme.NavigateNextIcon(), func() { p.turn(+1) })
	p.add = widget.NewButtonWithIcon("New page", theme.ContentAddIcon(), p.canvas.newPage)
	p.pageLabel = widget.NewLabel("")
	p.savePDF = widget.NewButtonWithIcon("Save page as PDF…", theme.DocumentSaveIcon(), func() {
		if p.OnSavePDF != nil {
			p.OnSavePDF()
		}
	})
	p.private = widget.NewCheck(processCheckText, p.choosePrivate)
	p.privateMark = processMark()
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
func (p *handwritingPage) content() fyne.CanvasObject {
	tools := container.NewHBox(p.pen, p.eraser, widget.NewSeparator(), p.undo, p.redo, p.clear,
		widget.NewSeparator(), p.prev, p.pageLabel, p.next, p.add, widget.NewSeparator(), p.private, p.savePDF)
	if p.OnSavePDF == nil {
		p.savePDF.Hide()
	}
	p.scroll = container.NewVScroll(p.canvas)
	p.canvas.onWidth = p.scroll.Refresh
	return container.NewBorder(container.NewVBox(container.NewHScroll(tools), p.privateMark), nil, nil, nil, p.scroll)
}

// encoded is the handwriting as ink.Encode writes it, for
// storage.SaveNotes.
func (p *handwritingPage) encoded() ([]byte, error) { return ink.Encode(p.canvas.sheets()) }

// choose selects the pen or the eraser.
func (p *handwritingPage) choose(t ink.Tool) {
	p.canvas.setTool(t)
	p.refresh()
}

// choosePrivate makes the page shown process notes (on) or progress
// notes (off).
func (p *handwritingPage) choosePrivate(on bool) {
	k := ink.Progress
	if on {
		k = ink.Process
	}
	p.canvas.setKind(k)
	p.refresh()
}

// turn shows the previous (-1) or next (+1) page.
func (p *handwritingPage) turn(by int) {
	p.canvas.showPage(p.canvas.page() + by)
	p.refresh()
}

// refresh shows the tool chosen, the page number, and enables what can be
// done now.
func (p *handwritingPage) refresh() {
	c := p.canvas
	p.pen.Importance, p.eraser.Importance = widget.MediumImportance, widget.MediumImportance
	if c.tool == ink.Eraser {
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
	enable(p.redo, c.canRedo())
	enable(p.clear, !c.empty())
	enable(p.prev, c.page() > 0)
	enable(p.next, c.page() < c.pageCount()-1)
	// One empty page at the end is enough.
	enable(p.add, len(c.pages[len(c.pages)-1].Strokes) > 0 && c.pageCount() < ink.MaxPages)
	p.pageLabel.SetText(fmt.Sprintf("page %d of %d", c.page()+1, c.pageCount()))
	private := c.kind().Private()
	if p.private.Checked != private {
		// Set without OnChanged: this shows the page's kind, it does not
		// change it.
		p.private.Checked = private
		p.private.Refresh()
	}
	if private {
		p.privateMark.Show()
	} else {
		p.privateMark.Hide()
	}
}
