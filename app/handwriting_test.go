package app

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/ink"
	"github.com/assent-recorder/assent/storage"
)

// handwritingWindow shows content alone in an unpadded test window of the
// given size, so that widget and window coordinates are the same.
func handwritingWindow(t *testing.T, content fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, content)
	w.SetPadded(false)
	w.Resize(size)
	return w
}

// dragThrough drags across c through pts as the desktop driver reports it:
// each event says where the pointer is and how far it moved since the last.
func dragThrough(c *handwritingCanvas, pts ...fyne.Position) {
	for i := 1; i < len(pts); i++ {
		c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pts[i]}, Dragged: fyne.NewDelta(pts[i].X-pts[i-1].X, pts[i].Y-pts[i-1].Y)})
	}
	c.DragEnd()
}

// pointsAlong is n+1 points evenly along the line from a to b.
func pointsAlong(a, b fyne.Position, n int) []fyne.Position {
	pts := make([]fyne.Position, n+1)
	for i := range pts {
		f := float32(i) / float32(n)
		pts[i] = fyne.NewPos(a.X+(b.X-a.X)*f, a.Y+(b.Y-a.Y)*f)
	}
	return pts
}

// isInk reports whether the captured pixel near (x, y) — within one pixel,
// for rounding — is ink-coloured: dark, and bluer than it is red.
func isInk(img image.Image, x, y float32) bool {
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			r, g, b, _ := img.At(int(x)+dx, int(y)+dy).RGBA()
			if r < 0x8000 && g < 0x8000 && b > r {
				return true
			}
		}
	}
	return false
}

// isPaper reports whether the captured pixel at (x, y) is the paper's white.
func isPaper(img image.Image, x, y float32) bool {
	r, g, b, _ := img.At(int(x), int(y)).RGBA()
	return r > 0xf000 && g > 0xf000 && b > 0xf000
}

func TestHandwritingDrawsSmoothStrokes(t *testing.T) {
	c := newHandwritingCanvas(nil)
	w := handwritingWindow(t, c, fyne.NewSize(600, 500))
	o, s := c.pageRect(c.Size())
	if s.Width != 600 || o.Y <= 0 {
		t.Fatalf("page at %v size %v in a 600×500 widget", o, s)
	}
	changes := 0
	c.OnChanged = func() { changes++ }

	y := o.Y + 100
	dragThrough(c, pointsAlong(fyne.NewPos(100, y), fyne.NewPos(500, y), 40)...)
	if changes != 1 {
		t.Errorf("OnChanged called %d times for one stroke", changes)
	}
	img := w.Canvas().Capture()
	for _, x := range []float32{102, 200, 300, 400, 498} {
		if !isInk(img, x, y) {
			t.Errorf("no ink at (%v, %v) on the stroke", x, y)
		}
	}
	for _, p := range []fyne.Position{{X: 300, Y: y + 12}, {X: 300, Y: y - 12}, {X: 80, Y: y}, {X: 520, Y: y}} {
		if !isPaper(img, p.X, p.Y) {
			t.Errorf("ink at %v, away from the stroke", p)
		}
	}

	// A sharp zigzag is drawn as a curve through the midpoints: the curve
	// turns at y+250 short of the corner at y+300, which stays paper.
	top := o.Y + 150
	dragThrough(c, fyne.NewPos(100, top), fyne.NewPos(200, top+200), fyne.NewPos(300, top))
	img = w.Canvas().Capture()
	if !isInk(img, 150, top+100) || !isInk(img, 200, top+150) || !isInk(img, 250, top+100) {
		t.Error("the smoothed curve is not where the midpoints put it")
	}
	if !isPaper(img, 200, top+200) || !isPaper(img, 200, top+170) {
		t.Error("the curve reaches the sharp corner: it is not smoothed")
	}
	if len(c.pages[0].Strokes) != 2 || len(c.pages[0].Strokes[1].Points) != 3 {
		t.Fatalf("strokes: %+v", c.pages[0].Strokes)
	}

	// A tap is a dot.
	c.Tapped(&fyne.PointEvent{Position: fyne.NewPos(450, top+150)})
	img = w.Canvas().Capture()
	if !isInk(img, 450, top+150) || !isPaper(img, 450, top+160) {
		t.Error("a tap did not make a dot")
	}

	// Drawn piece by piece while dragging, or all at once when the page
	// is drawn again, the strokes look the same.
	c.redraw()
	again := w.Canvas().Capture()
	if !bytes.Equal(img.(*image.NRGBA).Pix, again.(*image.NRGBA).Pix) {
		t.Error("the page drawn again differs from the page drawn stroke by stroke")
	}
}

func TestHandwritingThroughTheTestDriver(t *testing.T) {
	c := newHandwritingCanvas(nil)
	w := handwritingWindow(t, c, fyne.NewSize(600, 500))
	o, _ := c.pageRect(c.Size())
	y := o.Y + 200
	// The test driver sends one event at the given position with the
	// given delta; read as the desktop driver means it (the pointer is
	// there now, having moved by the delta), this drag went from (100, y)
	// to (400, y).
	test.Drag(w.Canvas(), fyne.NewPos(400, y), 300, 0)
	img := w.Canvas().Capture()
	if !isInk(img, 110, y) || !isInk(img, 250, y) || !isInk(img, 390, y) {
		t.Error("a drag through the test driver drew no line")
	}
	if !isPaper(img, 450, y) || !isPaper(img, 60, y) {
		t.Error("the line runs past where the drag went")
	}
}

func TestHandwritingUndoAndClear(t *testing.T) {
	c := newHandwritingCanvas(nil)
	w := handwritingWindow(t, c, fyne.NewSize(600, 500))
	o, _ := c.pageRect(c.Size())
	blank := w.Canvas().Capture()
	y1, y2 := o.Y+100, o.Y+200
	dragThrough(c, pointsAlong(fyne.NewPos(100, y1), fyne.NewPos(500, y1), 20)...)
	one := w.Canvas().Capture()
	dragThrough(c, pointsAlong(fyne.NewPos(100, y2), fyne.NewPos(500, y2), 20)...)
	img := w.Canvas().Capture()
	if !isInk(img, 300, y1) || !isInk(img, 300, y2) {
		t.Fatal("two strokes not drawn")
	}

	c.undoLast()
	img = w.Canvas().Capture()
	if !isInk(img, 300, y1) || isInk(img, 300, y2) {
		t.Error("undo did not take back only the last stroke")
	}
	if !bytes.Equal(img.(*image.NRGBA).Pix, one.(*image.NRGBA).Pix) {
		t.Error("after undo the page differs from before the stroke")
	}
	c.undoLast()
	if img = w.Canvas().Capture(); !bytes.Equal(img.(*image.NRGBA).Pix, blank.(*image.NRGBA).Pix) {
		t.Error("after undoing both strokes the page is not blank")
	}
	if c.canUndo() {
		t.Error("more to undo on a page that was never drawn on")
	}

	dragThrough(c, pointsAlong(fyne.NewPos(100, y1), fyne.NewPos(500, y1), 20)...)
	dragThrough(c, pointsAlong(fyne.NewPos(100, y2), fyne.NewPos(500, y2), 20)...)
	c.clear()
	if img = w.Canvas().Capture(); !bytes.Equal(img.(*image.NRGBA).Pix, blank.(*image.NRGBA).Pix) {
		t.Error("Clear left ink on the page")
	}
	c.undoLast()
	img = w.Canvas().Capture()
	if !isInk(img, 300, y1) || !isInk(img, 300, y2) || len(c.pages[0].Strokes) != 2 {
		t.Error("undo after Clear did not bring the strokes back")
	}
}

func TestHandwritingEraserRemovesWholeStrokes(t *testing.T) {
	c := newHandwritingCanvas(nil)
	w := handwritingWindow(t, c, fyne.NewSize(600, 500))
	o, _ := c.pageRect(c.Size())
	ya, yb, yc := o.Y+80, o.Y+160, o.Y+240
	for _, y := range []float32{ya, yb, yc} {
		dragThrough(c, pointsAlong(fyne.NewPos(100, y), fyne.NewPos(500, y), 20)...)
	}
	before := c.sheets()
	changes := 0
	c.OnChanged = func() { changes++ }

	// Touching the first line at its very end removes all of it; passing
	// between the lines removes nothing.
	c.setTool(ink.Eraser)
	c.Tapped(&fyne.PointEvent{Position: fyne.NewPos(499, ya+2)})
	dragThrough(c, pointsAlong(fyne.NewPos(300, ya+40), fyne.NewPos(400, ya+40), 5)...)
	img := w.Canvas().Capture()
	if isInk(img, 150, ya) || isInk(img, 300, ya) {
		t.Error("the touched stroke was not erased whole")
	}
	if !isInk(img, 300, yb) || !isInk(img, 300, yc) {
		t.Error("the eraser removed a stroke it did not touch")
	}
	// One drag across the two others removes both, as one undoable edit.
	dragThrough(c, pointsAlong(fyne.NewPos(250, o.Y+20), fyne.NewPos(250, o.Y+300), 14)...)
	if n := len(c.pages[0].Strokes); n != 0 {
		t.Fatalf("%d strokes left after erasing across them all", n)
	}
	if changes != 2 {
		t.Errorf("OnChanged called %d times for two erasures (and a miss)", changes)
	}
	c.undoLast()
	if got := c.sheets(); len(got[0].Strokes) != 2 || !reflect.DeepEqual(got[0].Strokes, before[0].Strokes[1:]) {
		t.Errorf("undo of the drag brought back %d strokes, want the second and third", len(got[0].Strokes))
	}
	c.undoLast()
	if got := c.sheets(); !reflect.DeepEqual(got, before) {
		t.Error("undoing both erasures did not restore the page in its order")
	}
	img = w.Canvas().Capture()
	if !isInk(img, 300, ya) || !isInk(img, 300, yb) || !isInk(img, 300, yc) {
		t.Error("the restored strokes are not drawn")
	}
}

func TestHandwritingPagesAreIndependent(t *testing.T) {
	p := newHandwritingPage(nil)
	w := handwritingWindow(t, p.content(), fyne.NewSize(760, 600))
	c := p.canvas
	w.Canvas().Capture() // lays the window out
	// The window is unpadded: the canvas lies under the toolbar, at the
	// top of its scroller.
	origin := p.scroll.Position().Add(c.Position())
	o, _ := c.pageRect(c.Size())
	at := func(x, y float32) fyne.Position { return fyne.NewPos(x, o.Y+y) }
	abs := func(pos fyne.Position) (float32, float32) { return origin.X + pos.X, origin.Y + pos.Y }
	saves := 0
	p.OnChanged = func() { saves++ }

	if p.pageLabel.Text != "page 1 of 1" || !p.prev.Disabled() || !p.next.Disabled() || !p.add.Disabled() || !p.undo.Disabled() || !p.clear.Disabled() {
		t.Errorf("toolbar of a new blank page: label %q, prev %v next %v new %v undo %v clear %v", p.pageLabel.Text,
			p.prev.Disabled(), p.next.Disabled(), p.add.Disabled(), p.undo.Disabled(), p.clear.Disabled())
	}
	a1, a2 := at(100, 60), at(400, 60)
	dragThrough(c, pointsAlong(a1, a2, 10)...)
	if p.undo.Disabled() || p.clear.Disabled() || p.add.Disabled() {
		t.Error("after a stroke, Undo, Clear and New page stay disabled")
	}
	test.Tap(p.add)
	if p.pageLabel.Text != "page 2 of 2" || c.page() != 1 || !p.add.Disabled() {
		t.Fatalf("after New page: %q, page %d", p.pageLabel.Text, c.page())
	}
	img := w.Canvas().Capture()
	if x, y := abs(at(250, 60)); isInk(img, x, y) {
		t.Error("the new page shows the first page's stroke")
	}
	b1, b2 := at(100, 160), at(400, 160)
	dragThrough(c, pointsAlong(b1, b2, 10)...)
	test.Tap(p.add)
	if p.pageLabel.Text != "page 3 of 3" {
		t.Fatalf("label %q", p.pageLabel.Text)
	}
	test.Tap(p.prev)
	test.Tap(p.prev)
	if p.pageLabel.Text != "page 1 of 3" || !p.prev.Disabled() || p.next.Disabled() {
		t.Fatalf("after going back twice: %q", p.pageLabel.Text)
	}
	img = w.Canvas().Capture()
	if x, y := abs(at(250, 60)); !isInk(img, x, y) {
		t.Error("page 1 lost its stroke")
	}
	if x, y := abs(at(250, 160)); isInk(img, x, y) {
		t.Error("page 1 shows page 2's stroke")
	}
	// Undo belongs to the page: on page 1 it takes back page 1's stroke.
	test.Tap(p.undo)
	test.Tap(p.next)
	img = w.Canvas().Capture()
	if x, y := abs(at(250, 160)); !isInk(img, x, y) {
		t.Error("undo on page 1 took page 2's stroke")
	}
	if got := c.sheets(); len(got) != 3 || len(got[0].Strokes) != 0 || len(got[1].Strokes) != 1 || len(got[2].Strokes) != 0 {
		t.Errorf("pages: %+v", got)
	}
	// Pen and eraser are shown as chosen.
	test.Tap(p.eraser)
	if c.tool != ink.Eraser || p.eraser.Importance <= p.pen.Importance {
		t.Error("the eraser is not shown as chosen")
	}
	test.Tap(p.pen)
	if c.tool != ink.Pen {
		t.Error("the pen is not chosen again")
	}
	if saves != 5 { // stroke, new page, stroke, new page, undo
		t.Errorf("OnChanged called %d times, want 5", saves)
	}
	blob, err := p.encoded()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := ink.Decode(blob)
	if err != nil || len(pages) != 3 {
		t.Fatalf("encoded pages: %d, %v", len(pages), err)
	}
}

// sameArea reports whether a and b have the same pixels in area.
func sameArea(a, b image.Image, area image.Rectangle) bool {
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

func TestHandwritingSavedWithNotes(t *testing.T) {
	_, db := newTestUI(t)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	client, err := db.CreateClient("A.B.")
	if err != nil {
		t.Fatal(err)
	}
	ss, err := db.CreateSession(client.ID, storage.Participant{Name: "Anna", Role: "client"})
	if err != nil {
		t.Fatal(err)
	}

	// Draw on two pages of the handwriting page, as the session screen
	// would, saving on every change.
	p := newHandwritingPage(nil)
	w := handwritingWindow(t, p.content(), fyne.NewSize(760, 600))
	saves := 0
	p.OnChanged = func() {
		blob, err := p.encoded()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveNotes(ss.ID, storage.Notes{Text: "typed notes", Ink: blob}); err != nil {
			t.Fatal(err)
		}
		saves++
	}
	c := p.canvas
	o, _ := c.pageRect(c.Size())
	dragThrough(c, pointsAlong(fyne.NewPos(100, o.Y+50), fyne.NewPos(500, o.Y+200), 30)...)
	c.Tapped(&fyne.PointEvent{Position: fyne.NewPos(300, o.Y+300)})
	test.Tap(p.add)
	dragThrough(c, pointsAlong(fyne.NewPos(50, o.Y+250), fyne.NewPos(550, o.Y+20), 50)...)
	test.Tap(p.prev)
	drawn := w.Canvas().Capture()
	if saves != 4 {
		t.Errorf("saved %d times, want 4", saves)
	}

	// Locked and unlocked again, the notes come back with the same ink,
	// and the page is drawn again exactly as it was.
	db.Lock()
	if err := db.Unlock(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	n, err := db.Notes(ss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != "typed notes" || n.Revision != 4 {
		t.Errorf("notes %q revision %d", n.Text, n.Revision)
	}
	pages, err := ink.Decode(n.Ink)
	if err != nil {
		t.Fatal(err)
	}
	if drawnNow, err := ink.Encode(c.sheets()); err != nil || !bytes.Equal(n.Ink, drawnNow) {
		t.Fatalf("the stored handwriting differs from what was drawn (%v)", err)
	}
	reopened := newHandwritingPage(pages)
	w2 := handwritingWindow(t, reopened.content(), fyne.NewSize(760, 600))
	if reopened.pageLabel.Text != "page 1 of 2" {
		t.Errorf("reopened at %q", reopened.pageLabel.Text)
	}
	// The toolbars differ (nothing to undo after reopening); the pages
	// must not.
	// Both unpadded, the canvas under the toolbar, at the top of its
	// scroller.
	at := func(p *handwritingPage) fyne.Position { return p.scroll.Position().Add(p.canvas.Position()) }
	area := image.Rectangle{Min: image.Pt(int(at(p).X), int(at(p).Y))}
	area.Max = area.Min.Add(image.Pt(int(c.Size().Width), int(c.Size().Height)))
	if at(reopened) != at(p) || reopened.canvas.Size() != c.Size() {
		t.Fatalf("reopened at %v size %v, first shown at %v size %v", at(reopened), reopened.canvas.Size(), at(p), c.Size())
	}
	if !sameArea(w2.Canvas().Capture(), drawn, area) {
		t.Error("the reopened page is drawn differently")
	}
}

// TestHandwritingRedoAndFlow: what Undo took back, Redo draws again (a
// stroke, an erasure, a Clear), until a new edit; a stroke finished at the
// bottom edge of the last page turns to a new page of the same kind.
func TestHandwritingRedoAndFlow(t *testing.T) {
	// The canvas alone in the window, so that its coordinates are the
	// window's; its toolbar's buttons are tapped as they are.
	p := newHandwritingPage(nil)
	w := handwritingWindow(t, p.canvas, fyne.NewSize(700, 600))
	c := p.canvas
	o, size := c.pageRect(c.Size())
	y1, y2 := o.Y+60, o.Y+140
	dragThrough(c, pointsAlong(fyne.NewPos(100, y1), fyne.NewPos(500, y1), 20)...)
	dragThrough(c, pointsAlong(fyne.NewPos(100, y2), fyne.NewPos(500, y2), 20)...)
	both := w.Canvas().Capture()
	if !p.redo.Disabled() {
		t.Error("Redo is offered with nothing undone")
	}
	test.Tap(p.undo)
	test.Tap(p.undo)
	test.Tap(p.redo)
	img := w.Canvas().Capture()
	if !isInk(img, 300, y1) || isInk(img, 300, y2) {
		t.Error("Redo did not bring back only the first stroke")
	}
	test.Tap(p.redo)
	if img = w.Canvas().Capture(); !bytes.Equal(img.(*image.NRGBA).Pix, both.(*image.NRGBA).Pix) {
		t.Error("after redoing both strokes the page differs from before")
	}
	if !p.redo.Disabled() {
		t.Error("Redo is offered after everything was redone")
	}

	// An erasure and a Clear, undone and redone.
	test.Tap(p.eraser)
	c.Tapped(&fyne.PointEvent{Position: fyne.NewPos(300, y1)})
	test.Tap(p.undo)
	test.Tap(p.redo)
	if len(c.pages[0].Strokes) != 1 || !isInk(w.Canvas().Capture(), 300, y2) {
		t.Fatalf("redoing the erasure left %d strokes", len(c.pages[0].Strokes))
	}
	test.Tap(p.clear)
	test.Tap(p.undo)
	test.Tap(p.redo)
	if len(c.pages[0].Strokes) != 0 {
		t.Error("redoing Clear left strokes")
	}
	test.Tap(p.undo)
	test.Tap(p.pen)
	dragThrough(c, pointsAlong(fyne.NewPos(100, y1), fyne.NewPos(500, y1), 20)...)
	if c.canRedo() {
		t.Error("a new stroke left something to redo")
	}

	// Writing into the bottom band of the last page turns to a new one.
	test.Tap(p.private)
	bottom := o.Y + size.Height*0.96
	dragThrough(c, pointsAlong(fyne.NewPos(100, bottom-30), fyne.NewPos(400, bottom), 20)...)
	if c.pageCount() != 2 || c.page() != 1 || p.pageLabel.Text != "page 2 of 2" || c.kind() != ink.Process {
		t.Fatalf("after writing at the bottom edge: page %d of %d, kind %v", c.page()+1, c.pageCount(), c.kind())
	}
	if len(c.pages[0].Strokes) != 3 || !c.empty() {
		t.Errorf("the stroke at the edge is not on the first page: %d strokes there", len(c.pages[0].Strokes))
	}
	// Not on a page before the last: writing there stays there.
	test.Tap(p.prev)
	dragThrough(c, pointsAlong(fyne.NewPos(100, bottom-30), fyne.NewPos(400, bottom), 20)...)
	if c.pageCount() != 2 || c.page() != 0 {
		t.Errorf("writing at the bottom of page 1 of 2 went to page %d of %d", c.page()+1, c.pageCount())
	}
}

// TestHandwritingLongStrokeAtTheBottom: a stroke longer than one stroke
// may hold (ink.MaxStrokePoints), drawn in the bottom band of the last
// page, goes on as a second stroke on the same page, and the page turns
// only when the pen lifts (it used to turn at the split, leaving the drag
// pointing into the new, empty page, and panic at the next point).
func TestHandwritingLongStrokeAtTheBottom(t *testing.T) {
	p := newHandwritingPage(nil)
	handwritingWindow(t, p.canvas, fyne.NewSize(700, 600))
	c := p.canvas
	o, size := c.pageRect(c.Size())
	bottom := o.Y + size.Height*0.96
	// A zigzag in the bottom band: every point two pixels from the last,
	// so that none is dropped as too near.
	n := ink.MaxStrokePoints + 100
	pts := make([]fyne.Position, n)
	for i := range pts {
		pts[i] = fyne.NewPos(100+2*float32(i%200), bottom+float32(i/200%2)*4)
	}
	dragThrough(c, pts...)
	if c.pageCount() != 2 || c.page() != 1 {
		t.Errorf("after the long stroke: page %d of %d, want 2 of 2", c.page()+1, c.pageCount())
	}
	first := c.pages[0].Strokes
	if len(first) != 2 || len(first[0].Points) != ink.MaxStrokePoints || first[1].Points[0] != first[0].Points[ink.MaxStrokePoints-1] {
		t.Errorf("the long stroke on page 1: %d strokes (%d points), want 2, the second going on from the first's last point", len(first), len(first[0].Points))
	}
}

// TestHandwritingFillsTheWidth: on the session screen of a 960×680 window
// (where the sheet used to be a 390×275 box) and of a full-HD tablet, the
// sheet is as wide as the notes, scrolling when taller than the space;
// strokes are kept in page units, so a stroke drawn in the small window
// lies at the same place of the sheet in the large one.
func TestHandwritingFillsTheWidth(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	ss := f.openSession(t, "Anna")
	ss.tabs.SelectIndex(2)
	p := ss.ink
	var first ink.Point
	for i, size := range []fyne.Size{{Width: 960, Height: 680}, {Width: 1920, Height: 1080}} {
		f.u.win.Resize(size)
		img := f.u.win.Canvas().Capture()
		c := p.canvas
		o, sheet := c.pageRect(c.Size())
		t.Logf("window %v: sheet %.0f×%.0f, %.0f%% of the window's width", size, sheet.Width, sheet.Height, 100*sheet.Width/size.Width)
		if sheet.Width < 0.9*size.Width {
			t.Errorf("window %v: the sheet is %v wide", size, sheet.Width)
		}
		if c.Size().Height < sheet.Height {
			t.Errorf("window %v: the canvas (%v) is shorter than its sheet (%v): it cannot scroll to the bottom", size, c.Size(), sheet)
		}
		// The test driver's absolute positions in a padded window are a
		// few pixels off what it draws: look within 4 pixels.
		origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.scroll)
		inkNear := func(img image.Image, x, y float32) bool {
			for d := float32(-4); d <= 4; d += 2 {
				for e := float32(-4); e <= 4; e += 2 {
					if isInk(img, x+d, y+e) {
						return true
					}
				}
			}
			return false
		}
		if i == 0 {
			dragThrough(c, pointsAlong(fyne.NewPos(sheet.Width*0.25, o.Y+sheet.Height*0.3), fyne.NewPos(sheet.Width*0.75, o.Y+sheet.Height*0.3), 30)...)
			first = c.pages[0].Strokes[0].Points[0]
			img = f.u.win.Canvas().Capture()
		}
		// The stroke lies at the same share of the sheet at any size.
		if x, y := origin.X+sheet.Width*0.5, origin.Y+o.Y+sheet.Height*0.3; !inkNear(img, x, y) || inkNear(img, x, y+40) {
			t.Errorf("window %v: no ink at the middle of the stroke (%v, %v)", size, x, y)
		}
	}
	if got := p.canvas.pages[0].Strokes[0].Points[0]; got != first {
		t.Errorf("resizing moved the stroke's first point from %v to %v", first, got)
	}
}

// TestInputToInk: each pointer event is in the very next frame the canvas
// renders (Capture draws a frame, as the driver does on its next paint),
// at speed: 30 events, each one frame, through the test driver (test.Drag,
// which ends each drag: short strokes) and as one long stroke (the
// desktop driver's Dragged events: the smoothed line reaches the point
// before the pointer, the last piece waiting for the next point or the
// end). The time from event to rendered frame is logged; see
// BenchmarkInputToInk for the measure.
func TestInputToInk(t *testing.T) {
	c := newHandwritingCanvas(nil)
	w := handwritingWindow(t, c, fyne.NewSize(500, 360))
	o, _ := c.pageRect(c.Size())
	var worst time.Duration
	// Through the test driver: a zigzag of 30 short strokes, 12 px each.
	last := fyne.NewPos(40, o.Y+60)
	for i := range 30 {
		next := fyne.NewPos(last.X+12, o.Y+60+float32(i%2)*20)
		start := time.Now()
		test.Drag(w.Canvas(), next, next.X-last.X, next.Y-last.Y)
		img := w.Canvas().Capture()
		worst = max(worst, time.Since(start))
		mid := fyne.NewPos((last.X+next.X)/2, (last.Y+next.Y)/2)
		if !isInk(img, mid.X, mid.Y) {
			t.Fatalf("event %d: the stroke from %v to %v is not in the next frame", i+1, last, next)
		}
		last = next
	}
	// One long stroke at speed: 30 events 12 px apart.
	prev := fyne.NewPos(40, o.Y+200)
	var prevPrev fyne.Position
	c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: prev}, Dragged: fyne.NewDelta(0, 0)})
	for i := range 30 {
		next := prev.AddXY(12, float32(i%3)*2)
		start := time.Now()
		c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: next}, Dragged: fyne.NewDelta(next.X-prev.X, next.Y-prev.Y)})
		img := w.Canvas().Capture()
		worst = max(worst, time.Since(start))
		if i > 0 && !isInk(img, prevPrev.X+(prev.X-prevPrev.X)*0.75, prevPrev.Y+(prev.Y-prevPrev.Y)*0.75) {
			t.Fatalf("event %d: the line towards %v is not in the next frame", i+1, prev)
		}
		prevPrev, prev = prev, next
	}
	c.DragEnd()
	if img := w.Canvas().Capture(); !isInk(img, prev.X-1, prev.Y) {
		t.Error("the end of the stroke is not drawn when it ends")
	}
	t.Logf("slowest event to rendered frame: %v (a frame at 60 Hz is 16.7 ms)", worst)
}

// BenchmarkInputToInk measures what the handwriting adds to a frame: one
// pointer event of a long stroke and the raster drawn after it (the page
// at 900×636 pixels, as the renderer asks it), in ms/event, beside the
// same run's cost of drawing the whole page afresh (full-ms), and their
// ratio. (The test driver's software Capture of a whole window is far
// slower than either, and not Assent's.)
func BenchmarkInputToInk(b *testing.B) {
	test.NewTempApp(b)
	c := newHandwritingCanvas(nil)
	w := test.NewTempWindow(b, c)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(900, 700))
	w.Canvas().Capture()
	const pw, ph = 900, 636
	// A page with a few hundred strokes on it already.
	for i := range 300 {
		y := float32(40) + float32(i)*1.7
		dragThrough(c, pointsAlong(fyne.NewPos(40, y), fyne.NewPos(860, y+10), 40)...)
	}
	if c.pageCount() != 1 || len(c.pages[0].Strokes) != 300 {
		b.Fatalf("%d pages, %d strokes on the first", c.pageCount(), len(c.pages[0].Strokes))
	}
	c.render(pw, ph)
	start := time.Now()
	for range 5 {
		c.redraw()
		c.render(pw, ph)
	}
	full := time.Since(start) / 5
	pos := fyne.NewPos(50, 200)
	c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pos}})
	b.ResetTimer()
	for i := range b.N {
		next := pos.AddXY(3, float32(i%5))
		if next.X > 850 {
			c.DragEnd()
			next = fyne.NewPos(50, 200+float32(i%300))
		}
		c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: next}, Dragged: fyne.NewDelta(next.X-pos.X, next.Y-pos.Y)})
		c.render(pw, ph)
		pos = next
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per)/1e6, "ms/event")
	b.ReportMetric(float64(full)/1e6, "full-ms")
	b.ReportMetric(float64(per)/float64(full), "event/full-ratio")
}

// TestHandwrittenPageAsPDF: a page saved as a PDF holds its title and the
// page drawn in ink; a process note's says it is private and not part of
// the client's record, and a progress note's does not.
func TestHandwrittenPageAsPDF(t *testing.T) {
	stroke := ink.Stroke{Width: ink.PenWidth * 4, Points: []ink.Point{{X: 6000, Y: 30000}, {X: 60000, Y: 30000}}}
	for _, kind := range []ink.Kind{ink.Progress, ink.Process} {
		var pdf bytes.Buffer
		if err := writeInkPagePDF(&pdf, ink.Sheet{Kind: kind, Strokes: []ink.Stroke{stroke}}, "Handwritten notes, page 2 — a test"); err != nil {
			t.Fatal(err)
		}
		text := recordPDFText(t, pdf.Bytes())
		if !strings.Contains(text, "Handwritten notes, page 2 — a test") {
			t.Errorf("%v: the PDF reads %q", kind, text)
		}
		if got := strings.Contains(text, "Private process note"); got != kind.Private() {
			t.Errorf("%v: marked private %v: %q", kind, got, text)
		}
		// The page is drawn: rasterised, the middle of the stroke is ink.
		dir := t.TempDir()
		in := filepath.Join(dir, "page.pdf")
		os.WriteFile(in, pdf.Bytes(), 0o600)
		if out, err := exec.Command("pdftoppm", "-r", "30", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		f, err := os.Open(filepath.Join(dir, "page.png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		found := false
		for y := b.Min.Y; y < b.Max.Y && !found; y++ {
			found = isInk(img, float32(b.Dx()/2), float32(y))
		}
		if !found {
			t.Errorf("%v: no ink down the middle of the rasterised page", kind)
		}
	}
}
