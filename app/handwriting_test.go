package app

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/storage"
)

// inkWindow shows content alone in an unpadded test window of the given
// size, so that widget and window coordinates are the same.
func inkWindow(t *testing.T, content fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, content)
	w.SetPadded(false)
	w.Resize(size)
	return w
}

// inkDrag drags across c through pts as the desktop driver reports it:
// each event says where the pointer is and how far it moved since the last.
func inkDrag(c *inkCanvas, pts ...fyne.Position) {
	for i := 1; i < len(pts); i++ {
		c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pts[i]}, Dragged: fyne.NewDelta(pts[i].X-pts[i-1].X, pts[i].Y-pts[i-1].Y)})
	}
	c.DragEnd()
}

// inkLine is n+1 points evenly along the line from a to b.
func inkLine(a, b fyne.Position, n int) []fyne.Position {
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

func TestInkCanvasDrawsSmoothStrokes(t *testing.T) {
	c := newInkCanvas(nil)
	w := inkWindow(t, c, fyne.NewSize(600, 500))
	o, s := c.pageRect(c.Size())
	if s.Width != 600 || o.Y <= 0 {
		t.Fatalf("page at %v size %v in a 600×500 widget", o, s)
	}
	changes := 0
	c.OnChanged = func() { changes++ }

	y := o.Y + 100
	inkDrag(c, inkLine(fyne.NewPos(100, y), fyne.NewPos(500, y), 40)...)
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
	inkDrag(c, fyne.NewPos(100, top), fyne.NewPos(200, top+200), fyne.NewPos(300, top))
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

func TestInkCanvasThroughTheTestDriver(t *testing.T) {
	c := newInkCanvas(nil)
	w := inkWindow(t, c, fyne.NewSize(600, 500))
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

func TestInkUndoAndClear(t *testing.T) {
	c := newInkCanvas(nil)
	w := inkWindow(t, c, fyne.NewSize(600, 500))
	o, _ := c.pageRect(c.Size())
	blank := w.Canvas().Capture()
	y1, y2 := o.Y+100, o.Y+200
	inkDrag(c, inkLine(fyne.NewPos(100, y1), fyne.NewPos(500, y1), 20)...)
	one := w.Canvas().Capture()
	inkDrag(c, inkLine(fyne.NewPos(100, y2), fyne.NewPos(500, y2), 20)...)
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

	inkDrag(c, inkLine(fyne.NewPos(100, y1), fyne.NewPos(500, y1), 20)...)
	inkDrag(c, inkLine(fyne.NewPos(100, y2), fyne.NewPos(500, y2), 20)...)
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

func TestInkEraserRemovesWholeStrokes(t *testing.T) {
	c := newInkCanvas(nil)
	w := inkWindow(t, c, fyne.NewSize(600, 500))
	o, _ := c.pageRect(c.Size())
	ya, yb, yc := o.Y+80, o.Y+160, o.Y+240
	for _, y := range []float32{ya, yb, yc} {
		inkDrag(c, inkLine(fyne.NewPos(100, y), fyne.NewPos(500, y), 20)...)
	}
	before := c.sheets()
	changes := 0
	c.OnChanged = func() { changes++ }

	// Touching the first line at its very end removes all of it; passing
	// between the lines removes nothing.
	c.setTool(inkEraser)
	c.Tapped(&fyne.PointEvent{Position: fyne.NewPos(499, ya+2)})
	inkDrag(c, inkLine(fyne.NewPos(300, ya+40), fyne.NewPos(400, ya+40), 5)...)
	img := w.Canvas().Capture()
	if isInk(img, 150, ya) || isInk(img, 300, ya) {
		t.Error("the touched stroke was not erased whole")
	}
	if !isInk(img, 300, yb) || !isInk(img, 300, yc) {
		t.Error("the eraser removed a stroke it did not touch")
	}
	// One drag across the two others removes both, as one undoable edit.
	inkDrag(c, inkLine(fyne.NewPos(250, o.Y+20), fyne.NewPos(250, o.Y+300), 14)...)
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

func TestInkPagesAreIndependent(t *testing.T) {
	p := newInkPage(nil)
	w := inkWindow(t, p.content(), fyne.NewSize(760, 600))
	c := p.canvas
	w.Canvas().Capture()   // lays the window out
	origin := c.Position() // the page's content is the window's, unpadded
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
	inkDrag(c, inkLine(a1, a2, 10)...)
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
	inkDrag(c, inkLine(b1, b2, 10)...)
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
	if c.tool != inkEraser || p.eraser.Importance <= p.pen.Importance {
		t.Error("the eraser is not shown as chosen")
	}
	test.Tap(p.pen)
	if c.tool != inkPen {
		t.Error("the pen is not chosen again")
	}
	if saves != 5 { // stroke, new page, stroke, new page, undo
		t.Errorf("OnChanged called %d times, want 5", saves)
	}
	blob, err := p.encoded()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := decodeInk(blob)
	if err != nil || len(pages) != 3 {
		t.Fatalf("encoded pages: %d, %v", len(pages), err)
	}
}

// inkSameArea reports whether a and b have the same pixels in area.
func inkSameArea(a, b image.Image, area image.Rectangle) bool {
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// inkSameSheets compares pages, treating no strokes and an empty list alike.
func inkSameSheets(a, b []inkSheet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i].Strokes) != len(b[i].Strokes) {
			return false
		}
		for j := range a[i].Strokes {
			if !reflect.DeepEqual(a[i].Strokes[j], b[i].Strokes[j]) {
				return false
			}
		}
	}
	return true
}

// inkWalk is a stroke of n points wandering from the middle of the page as
// a hand does, in small steps.
func inkWalk(n int, seed uint64) inkStroke {
	r := rand.New(rand.NewPCG(seed, 1))
	s := inkStroke{Width: inkPenWidth, Points: make([]inkPoint, n)}
	x, y := int64(inkCoordMax/2), int64(inkCoordMax/2)
	for i := range s.Points {
		x = max(0, min(inkCoordMax, x+r.Int64N(121)-60))
		y = max(0, min(inkCoordMax, y+r.Int64N(121)-60))
		s.Points[i] = inkPoint{X: uint16(x), Y: uint16(y)}
	}
	return s
}

func TestInkEncodingRoundTrip(t *testing.T) {
	corners := inkStroke{Width: 1, Points: []inkPoint{{0, 0}, {inkCoordMax, inkCoordMax}, {0, inkCoordMax}, {inkCoordMax, 0}, {0, 0}}}
	long := inkWalk(10_000, 1)
	longest := inkWalk(inkMaxStrokePoints, 2)
	for _, c := range []struct {
		name  string
		pages []inkSheet
	}{
		{"no pages", nil},
		{"one empty page", []inkSheet{{}}},
		{"empty pages around a drawn one", []inkSheet{{}, {Strokes: []inkStroke{corners}}, {}}},
		{"a dot", []inkSheet{{Strokes: []inkStroke{{Width: inkPenWidth, Points: []inkPoint{{1, 2}}}}}}},
		{"corner to corner, widest pen", []inkSheet{{Strokes: []inkStroke{corners, {Width: inkMaxWidth, Points: corners.Points}}}}},
		{"10,000 points", []inkSheet{{Strokes: []inkStroke{long}}}},
		{"the longest stroke", []inkSheet{{Strokes: []inkStroke{longest}}}},
		{"many strokes on many pages", func() []inkSheet {
			pages := make([]inkSheet, 50)
			for i := range pages {
				for j := 0; j < 20; j++ {
					pages[i].Strokes = append(pages[i].Strokes, inkWalk(1+j*7, uint64(i*100+j)))
				}
			}
			return pages
		}()},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := encodeInk(c.pages)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeInk(b)
			if err != nil {
				t.Fatal(err)
			}
			if !inkSameSheets(got, c.pages) {
				t.Fatal("decoded pages differ from the encoded ones")
			}
		})
	}
	t.Run("compact", func(t *testing.T) {
		b, err := encodeInk([]inkSheet{{Strokes: []inkStroke{long}}})
		if err != nil {
			t.Fatal(err)
		}
		if perPoint := float64(len(b)) / 10_000; perPoint > 2.1 {
			t.Errorf("%.2f bytes a point, want about 2", perPoint)
		}
	})
	t.Run("nothing saved", func(t *testing.T) {
		if pages, err := decodeInk(nil); pages != nil || err != nil {
			t.Errorf("decodeInk(nil) = %v, %v; want no pages, no error", pages, err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for _, pages := range [][]inkSheet{
			make([]inkSheet, inkMaxPages+1),
			{{Strokes: []inkStroke{{Width: inkPenWidth}}}},
			{{Strokes: []inkStroke{{Width: 0, Points: []inkPoint{{1, 1}}}}}},
			{{Strokes: []inkStroke{{Width: inkMaxWidth + 1, Points: []inkPoint{{1, 1}}}}}},
			{{Strokes: []inkStroke{{Width: 1, Points: make([]inkPoint, inkMaxStrokePoints+1)}}}},
		} {
			if b, err := encodeInk(pages); err == nil {
				t.Errorf("encoded %d bytes of pages decodeInk would refuse", len(b))
			}
		}
	})
}

// inkSeeds are encodings for the decoder tests and the fuzzer's seed
// corpus: valid ones of every shape and damaged ones that reach each check.
func inkSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	enc := func(pages []inkSheet) []byte {
		b, err := encodeInk(pages)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	valid := enc([]inkSheet{{Strokes: []inkStroke{{Width: 3, Points: []inkPoint{{10, 10}, {20, 5}, {65535, 0}}}}}, {}})
	head := []byte(inkMagic + "\x01")
	return map[string][]byte{
		"valid":              valid,
		"empty_pages":        enc([]inkSheet{{}, {}}),
		"no_pages":           enc(nil),
		"dot":                enc([]inkSheet{{Strokes: []inkStroke{{Width: 1, Points: []inkPoint{{0, 65535}}}}}}),
		"walk":               enc([]inkSheet{{Strokes: []inkStroke{inkWalk(40, 3), inkWalk(3, 4)}}}),
		"bad_magic":          append([]byte("XINK"), valid[4:]...),
		"version_2":          append([]byte(inkMagic+"\x02"), valid[5:]...),
		"truncated":          valid[:len(valid)-1],
		"trailing":           append(append([]byte(nil), valid...), 0),
		"huge_page_count":    append(append([]byte(nil), head...), 0xff, 0xff, 0xff, 0xff, 0x0f),
		"huge_stroke_count":  append(append([]byte(nil), head...), 1, 0xff, 0xff, 0xff, 0x7f),
		"huge_point_count":   append(append([]byte(nil), head...), 1, 1, 3, 0xff, 0xff, 0x03, 0, 0),
		"zero_width":         append(append([]byte(nil), head...), 1, 1, 0, 1, 0, 0),
		"no_points":          append(append([]byte(nil), head...), 1, 1, 3, 0, 0, 0),
		"x_off_page":         append(append([]byte(nil), head...), 1, 1, 3, 1, 0x80, 0x80, 0x04, 0),
		"delta_off_page":     append(append([]byte(nil), head...), 1, 1, 3, 2, 0, 0, 1, 0),
		"delta_too_large":    append(append([]byte(nil), head...), 1, 1, 3, 2, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0),
		"varint_overflow":    append(append([]byte(nil), head...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
		"magic_only":         []byte(inkMagic),
		"one_byte":           {0},
		"empty":              {},
		"delta_back_to_zero": append(append([]byte(nil), head...), 1, 1, 3, 2, 0x10, 0x10, 0x1f, 0x1f),
	}
}

func TestDecodeInkRejectsDamage(t *testing.T) {
	seeds := inkSeeds(t)
	for name, b := range seeds {
		pages, err := decodeInk(b)
		valid := name == "valid" || name == "empty_pages" || name == "no_pages" || name == "dot" || name == "walk" || name == "delta_back_to_zero" || name == "empty"
		switch {
		case valid && err != nil:
			t.Errorf("%s: %v", name, err)
		case !valid && err == nil:
			t.Errorf("%s: decoded %d pages from damaged input", name, len(pages))
		case !valid && !errors.Is(err, errBadInk):
			t.Errorf("%s: error %v does not wrap errBadInk", name, err)
		}
	}
	// Every cut of a valid encoding is refused (except the empty one,
	// which is "no ink").
	valid := seeds["walk"]
	for n := 1; n < len(valid); n++ {
		if _, err := decodeInk(valid[:n]); err == nil {
			t.Errorf("the first %d of %d bytes decode", n, len(valid))
		}
	}
}

// FuzzDecodeInk feeds arbitrary bytes to decodeInk: it must never panic,
// and what it accepts must encode again to pages that decode the same.
func FuzzDecodeInk(f *testing.F) {
	for _, b := range inkSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pages, err := decodeInk(data)
		if err != nil {
			if !errors.Is(err, errBadInk) {
				t.Fatalf("error %v does not wrap errBadInk", err)
			}
			return
		}
		b, err := encodeInk(pages)
		if err != nil {
			t.Fatalf("decoded pages do not encode: %v", err)
		}
		again, err := decodeInk(b)
		if err != nil || !inkSameSheets(again, pages) {
			t.Fatalf("re-encoded pages decode differently: %v", err)
		}
		if len(data) > 0 && len(b) > len(data) {
			t.Fatalf("%d bytes re-encode to %d", len(data), len(b))
		}
	})
}

// TestWriteInkFuzzCorpus rewrites testdata/fuzz/FuzzDecodeInk from
// inkSeeds when ASSENT_WRITE_CORPUS=1.
func TestWriteInkFuzzCorpus(t *testing.T) {
	if os.Getenv("ASSENT_WRITE_CORPUS") != "1" {
		t.Skip("set ASSENT_WRITE_CORPUS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeInk")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range inkSeeds(t) {
		s := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInkSavedWithNotes(t *testing.T) {
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
	p := newInkPage(nil)
	w := inkWindow(t, p.content(), fyne.NewSize(760, 600))
	saves := 0
	p.OnChanged = func() {
		blob, err := p.encoded()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveNotes(ss.ID, "typed notes", blob); err != nil {
			t.Fatal(err)
		}
		saves++
	}
	c := p.canvas
	o, _ := c.pageRect(c.Size())
	inkDrag(c, inkLine(fyne.NewPos(100, o.Y+50), fyne.NewPos(500, o.Y+200), 30)...)
	c.Tapped(&fyne.PointEvent{Position: fyne.NewPos(300, o.Y+300)})
	test.Tap(p.add)
	inkDrag(c, inkLine(fyne.NewPos(50, o.Y+250), fyne.NewPos(550, o.Y+20), 50)...)
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
	pages, err := decodeInk(n.Ink)
	if err != nil {
		t.Fatal(err)
	}
	if !inkSameSheets(pages, c.sheets()) {
		t.Fatal("the stored ink differs from what was drawn")
	}
	reopened := newInkPage(pages)
	w2 := inkWindow(t, reopened.content(), fyne.NewSize(760, 600))
	if reopened.pageLabel.Text != "page 1 of 2" {
		t.Errorf("reopened at %q", reopened.pageLabel.Text)
	}
	// The toolbars differ (nothing to undo after reopening); the pages
	// must not.
	area := image.Rectangle{Min: image.Pt(int(c.Position().X), int(c.Position().Y))}
	area.Max = area.Min.Add(image.Pt(int(c.Size().Width), int(c.Size().Height)))
	if reopened.canvas.Position() != c.Position() || reopened.canvas.Size() != c.Size() {
		t.Fatalf("reopened at %v size %v, first shown at %v size %v", reopened.canvas.Position(), reopened.canvas.Size(), c.Position(), c.Size())
	}
	if !inkSameArea(w2.Canvas().Capture(), drawn, area) {
		t.Error("the reopened page is drawn differently")
	}
}

// inkGoldenSheets are the pages whose encoding is in
// testdata/ink-v1.golden: every field of the format at its smallest and
// largest, and deltas of one, two and three bytes, both ways.
func inkGoldenSheets() []inkSheet {
	corners := inkStroke{Width: 1, Points: []inkPoint{{0, 0}, {inkCoordMax, inkCoordMax}, {0, inkCoordMax}, {inkCoordMax, 0}, {0, 0}}}
	wave := inkStroke{Width: inkPenWidth, Points: make([]inkPoint, 300)}
	for i := range wave.Points {
		wave.Points[i] = inkPoint{X: uint16(1000 + i*150 + i%7*13), Y: uint16(30000 + i*i*37%2001 - 1000)}
	}
	hook := inkStroke{Width: 127, Points: []inkPoint{{40000, 20000}, {40063, 20000}, {40000, 19936}, {48192, 19936}, {40000, 11744}, {40000, 20000}}}
	return []inkSheet{
		{Strokes: []inkStroke{corners, {Width: inkPenWidth, Points: []inkPoint{{32768, 23170}}}, wave}},
		{},
		{Strokes: []inkStroke{{Width: inkMaxWidth, Points: corners.Points[:2]}, hook, {Width: 128, Points: []inkPoint{{inkCoordMax, inkCoordMax}}}}},
	}
}

// TestInkGoldenV1 holds the format to notes saved by earlier versions:
// testdata/ink-v1.golden was written by encodeInk at commit 0d4f9d6 and
// must never be rewritten.
func TestInkGoldenV1(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "ink-v1.golden"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeInk(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !inkSameSheets(got, inkGoldenSheets()) {
		t.Error("the golden encoding decodes to other pages")
	}
	b, err := encodeInk(inkGoldenSheets())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, golden) {
		t.Error("the golden pages encode to other bytes")
	}
}
