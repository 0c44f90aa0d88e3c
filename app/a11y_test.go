package app

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// The client screens' accessibility, as numbers: on every client screen
// (asking, recording, paused, stopped, notes only, summary, record), in
// every language, in the default theme's light and dark colours, at
// 1280×720 and 1920×1080:
//
//   - every text against what is drawn behind it: contrast ≥ 4.5:1 (WCAG
//     2.2 AA), computed from the colours the theme gives;
//   - every button and choice ≥ 44×44 (WCAG 2.5.5), both answers the same
//     size;
//   - every text ≥ 1.5 × the theme's default text size;
//   - nothing outside its parent or the window, nothing overlapping its
//     neighbour, no text wider than the space it is given;
//   - every button and choice reached by Tab, in the order they are seen.

// Thresholds of the checks.
const (
	minContrast   = 4.5
	minTarget     = 44
	minTextFactor = 1.5
)

// a11ySizes are the window sizes every client screen must fit.
var a11ySizes = []fyne.Size{{Width: 1280, Height: 720}, {Width: 1920, Height: 1080}}

// variantTheme is the default theme fixed to one variant, as a light or a
// dark desktop gives it.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// TestClientScreensAccessible walks the client screens of one session in
// each language and variant and measures each at each window size.
func TestClientScreensAccessible(t *testing.T) {
	variants := map[string]fyne.ThemeVariant{"light": theme.VariantLight, "dark": theme.VariantDark}
	for _, l := range consent.Languages() {
		for vname, variant := range variants {
			t.Run(l.Tag+"/"+vname, func(t *testing.T) {
				a := test.NewTempApp(t)
				a.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme(), variant: variant})
				f := newSessionFixtureOn(t, a)
				if err := f.db.SetClientLanguage(firstClient(t, f).ID, l.Tag); err != nil {
					t.Fatal(err)
				}
				for _, screen := range clientScreens(t, f, 2) {
					for _, size := range a11ySizes {
						layOut(f.u.win, size)
						m := measure(f.u.win)
						for _, p := range m.problems(size) {
							t.Errorf("%s at %v: %s", screen, size, p)
						}
						if k, ok := f.u.screen.(*kioskScreen); ok {
							for id, yes := range k.yes {
								if yes.Size() != k.no[id].Size() {
									t.Errorf("%s at %v: the answers are %v and %v, not the same size", screen, size, yes.Size(), k.no[id].Size())
								}
							}
						}
						if size == a11ySizes[0] {
							t.Logf("%s: lowest contrast %.2f:1 (%q), smallest target %v, smallest text %.1f",
								screen, m.lowestContrast, m.lowestContrastText, m.smallestTarget, m.smallestText)
						}
					}
				}
			})
		}
	}
}

// layOut resizes w to size and lays it out again, as the real driver does
// on the next frame when a wrapped text's height changed with its width.
func layOut(w fyne.Window, size fyne.Size) {
	w.Resize(size)
	w.Content().Refresh()
	w.Resize(size)
}

// firstClient is the fixture's one client.
func firstClient(t *testing.T, f *sessionFixture) storage.Client {
	t.Helper()
	cs, err := f.db.Clients()
	if err != nil || len(cs) == 0 {
		t.Fatalf("clients: %v, %v", cs, err)
	}
	return cs[0]
}

// clientScreens drives one session through every client screen, returning
// after each is shown its name, in order; people is how many people are in
// the room (each gets their own pair of answers).
func clientScreens(t *testing.T, f *sessionFixture, people int) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		n := 0
		show := func(name string) bool {
			settle(f.u)
			ok := yield(n, name)
			n++
			return ok
		}
		f.unlockPractice(t)
		names := []string{"Anna", "Ben", "Chris"}[:people]
		k := f.startSession(t, names...)
		if !show("asking") {
			return
		}
		for _, p := range k.run.Participants() {
			test.Tap(k.yes[p.ID])
		}
		waitRecorded(t, k, 100*time.Millisecond)
		if !show("recording") {
			return
		}
		test.Tap(k.pause) // the client's own pause
		if !show("client paused") {
			return
		}
		test.Tap(k.resume)
		waitRecorded(t, k, 100*time.Millisecond)
		if err := k.run.Apply(consent.Event{Kind: consent.EventPause, Actor: consent.Therapist()}); err != nil {
			t.Fatal(err)
		}
		if !show("paused") {
			return
		}
		test.Tap(k.stop)
		if !show("stopped") {
			return
		}
		test.Tap(k.keep)
		if !show("notes only") {
			return
		}
		ss := newSessionScreen(f.u, k.run) // the therapist, after the passphrase
		f.u.show(ss)
		test.Tap(ss.end)
		k, ok := f.u.screen.(*kioskScreen)
		if !ok || k.run.State() != consent.Confirming {
			t.Fatalf("after End the screen is %T, not the question at the end", f.u.screen)
		}
		if !show("end question") {
			return
		}
		for _, p := range k.run.Recorded() {
			if ok := k.copyOK[p.ID]; ok != nil {
				ok.SetChecked(true) // the client may have a copy: the copy screen below
			}
			test.Tap(k.keepIt[p.ID])
		}
		if _, ok := f.u.screen.(*summaryScreen); !ok {
			t.Fatalf("after everyone kept it the screen is %T", f.u.screen)
		}
		if !show("summary") {
			return
		}
		c, err := f.db.Client(k.run.Client().ID)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := newClientRecordScreen(f.u, c, true)
		if err != nil {
			t.Fatal(err)
		}
		f.u.show(rec)
		if !show("record") {
			return
		}
		recs, err := f.db.Recordings(k.run.ID())
		if err != nil || len(recs) == 0 {
			t.Fatalf("recordings: %v, %v", recs, err)
		}
		f.u.show(newClientCopyScreen(f.u, c, recs[0]))
		show("copy")
	}
}

// measurement is what a walk over a window's objects found.
type measurement struct {
	issues []string

	lowestContrast     float64
	lowestContrastText string
	smallestTarget     fyne.Size
	smallestText       float32
	canvasSize         fyne.Size
}

// problems are the issues found, with the window being larger than asked
// (content that did not fit) first.
func (m *measurement) problems(asked fyne.Size) []string {
	var out []string
	if m.canvasSize.Width > asked.Width+0.5 || m.canvasSize.Height > asked.Height+0.5 {
		out = append(out, fmt.Sprintf("the content needs %v", m.canvasSize))
	}
	return append(out, m.issues...)
}

func (m *measurement) add(format string, args ...any) {
	m.issues = append(m.issues, fmt.Sprintf(format, args...))
}

// rect is an object's place on the canvas.
type rect struct{ x0, y0, x1, y1 float32 }

func rectOf(pos fyne.Position, size fyne.Size) rect {
	return rect{pos.X, pos.Y, pos.X + size.Width, pos.Y + size.Height}
}

const slack = 0.5 // layout rounding

func (r rect) inside(o rect) bool {
	return r.x0 >= o.x0-slack && r.y0 >= o.y0-slack && r.x1 <= o.x1+slack && r.y1 <= o.y1+slack
}

func (r rect) overlaps(o rect) bool {
	return r.x0 < o.x1-slack && o.x0 < r.x1-slack && r.y0 < o.y1-slack && o.y0 < r.y1-slack
}

func (r rect) empty() bool { return r.x1-r.x0 < 1 || r.y1-r.y0 < 1 }

// paint is a rectangle drawn, for finding what is behind a text.
type paint struct {
	at   rect
	fill color.Color
}

// walker visits a window's visible objects with their place on the canvas.
type walker struct {
	m          *measurement
	background color.Color
	paints     []paint
	// viewport is the visible part of the canvas under a scroll.
	viewport rect
}

// measure walks w's content.
func measure(w fyne.Window) *measurement {
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	m := &measurement{lowestContrast: math.Inf(1), smallestText: float32(math.Inf(1)), smallestTarget: fyne.NewSize(1e6, 1e6)}
	m.canvasSize = w.Canvas().Size()
	wk := &walker{m: m, background: th.Color(theme.ColorNameBackground, v)}
	window := rectOf(fyne.NewPos(0, 0), w.Canvas().Size())
	wk.viewport = window
	content := w.Content()
	wk.walk(content, content.Position(), window, false)
	return m
}

// walk visits o at pos inside parent; scrolled says o is a scroll's
// content, which may extend past its parent along the scroll.
func (wk *walker) walk(o fyne.CanvasObject, pos fyne.Position, parent rect, scrolled bool) {
	if o == nil || !o.Visible() {
		return
	}
	r := rectOf(pos, o.Size())
	if r.empty() {
		return
	}
	if t, ok := o.(*canvas.Text); ok {
		r = inkOf(t, r)
	}
	if scrolled {
		if r.x0 < parent.x0-slack || r.x1 > parent.x1+slack {
			wk.m.add("%s is wider than the scroll that holds it (%.0f > %.0f): cut off", describe(o), r.x1-r.x0, parent.x1-parent.x0)
		}
	} else if !r.inside(parent) {
		wk.m.add("%s at %v+%v lies outside its parent %v", describe(o), pos, o.Size(), parent)
	}
	visible := r.overlaps(wk.viewport)
	switch x := o.(type) {
	case *canvas.Rectangle:
		if visible {
			wk.paints = append(wk.paints, paint{r, x.FillColor})
		}
	case *canvas.Text:
		if visible {
			wk.text(x, r)
		}
	}
	if visible {
		wk.target(o, r)
	}

	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
		if layoutSeparates(x.Layout) {
			wk.noOverlap(x.Objects, pos)
		}
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	}
	_, isScroll := o.(*container.Scroll)
	saved, savedPaints := wk.viewport, len(wk.paints)
	if isScroll {
		wk.viewport = r
	}
	for _, c := range children {
		wk.walk(c, pos.Add(c.Position()), r, isScroll)
	}
	wk.viewport = saved
	if _, isWidget := o.(fyne.Widget); isWidget {
		wk.paints = wk.paints[:savedPaints] // a widget's backgrounds are behind its own texts only
	}
}

// inkOf is the part of a text's box its letters take: as wide as its
// MinSize, placed by its alignment.
func inkOf(t *canvas.Text, box rect) rect {
	w := min(t.MinSize().Width, box.x1-box.x0)
	switch t.Alignment {
	case fyne.TextAlignCenter:
		box.x0 += (box.x1 - box.x0 - w) / 2
	case fyne.TextAlignTrailing:
		box.x0 = box.x1 - w
	}
	box.x1 = box.x0 + w
	return box
}

// layoutSeparates reports whether a layout places its objects side by side
// (boxes, grids, forms, borders), so that they must not overlap; a stack
// or a centring layout overlays them on purpose.
func layoutSeparates(l fyne.Layout) bool {
	name := fmt.Sprintf("%T", l)
	for _, s := range []string{"box", "Box", "grid", "Grid", "form", "Form", "border", "Border"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

func (wk *walker) noOverlap(objs []fyne.CanvasObject, pos fyne.Position) {
	for i, a := range objs {
		if !a.Visible() || a.Size().IsZero() {
			continue
		}
		for _, b := range objs[i+1:] {
			if !b.Visible() || b.Size().IsZero() {
				continue
			}
			if rectOf(a.Position(), a.Size()).overlaps(rectOf(b.Position(), b.Size())) {
				wk.m.add("%s and %s overlap", describe(a), describe(b))
			}
		}
	}
}

// text checks one text: its size, whether it fits, and its contrast with
// what is drawn behind its middle.
func (wk *walker) text(x *canvas.Text, r rect) {
	if strings.TrimSpace(x.Text) == "" {
		return
	}
	base := theme.DefaultTheme().Size(theme.SizeNameText)
	if x.TextSize < wk.m.smallestText {
		wk.m.smallestText = x.TextSize
	}
	if x.TextSize < minTextFactor*base-0.01 {
		wk.m.add("text %q is %.1f, under %.1f × the theme's %.0f", x.Text, x.TextSize, minTextFactor, base)
	}
	if min := x.MinSize(); min.Width > r.x1-r.x0+1 {
		wk.m.add("text %q needs %.0f wide, has %.0f: cut off", x.Text, min.Width, r.x1-r.x0)
	}
	cx, cy := (r.x0+r.x1)/2, (r.y0+r.y1)/2
	bg := wk.background
	for _, p := range wk.paints {
		if p.at.x0 <= cx && cx <= p.at.x1 && p.at.y0 <= cy && cy <= p.at.y1 && p.fill != nil {
			bg = over(p.fill, bg)
		}
	}
	ratio := contrast(over(x.Color, bg), bg)
	if ratio < wk.m.lowestContrast {
		wk.m.lowestContrast, wk.m.lowestContrastText = ratio, x.Text
	}
	if ratio < minContrast {
		wk.m.add("text %q has contrast %.2f:1 (%v on %v), under %.1f:1", x.Text, ratio, x.Color, bg, minContrast)
	}
}

// target checks that what a client presses is large enough to hit.
func (wk *walker) target(o fyne.CanvasObject, r rect) {
	switch o.(type) {
	case *bigButton, *widget.Button:
	default:
		if !strings.Contains(fmt.Sprintf("%T", o), "radioItem") {
			return
		}
	}
	size := fyne.NewSize(r.x1-r.x0, r.y1-r.y0)
	if size.Width*size.Height < wk.m.smallestTarget.Width*wk.m.smallestTarget.Height {
		wk.m.smallestTarget = size
	}
	if size.Width < minTarget || size.Height < minTarget {
		wk.m.add("%s is %v, under %d×%d", describe(o), size, minTarget, minTarget)
	}
}

// describe names an object for a message.
func describe(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *bigButton:
		return fmt.Sprintf("button %q", x.Text)
	case *widget.Button:
		return fmt.Sprintf("button %q", x.Text)
	case *widget.Label:
		return fmt.Sprintf("label %q", x.Text)
	case *canvas.Text:
		return fmt.Sprintf("text %q", x.Text)
	}
	return fmt.Sprintf("%T", o)
}

// over is fg drawn over an opaque bg.
func over(fg, bg color.Color) color.Color {
	fr, fgg, fb, fa := fg.RGBA()
	br, bgg, bb, _ := bg.RGBA()
	a := float64(fa) / 0xffff
	mix := func(f, b uint32) uint8 {
		// RGBA is premultiplied: f already carries a.
		return uint8((float64(f) + float64(b)*(1-a)) / 0xffff * 0xff)
	}
	return color.NRGBA{R: mix(fr, br), G: mix(fgg, bgg), B: mix(fb, bb), A: 0xff}
}

// contrast is the WCAG 2.2 contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is WCAG's relative luminance.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func TestContrastOfKnownColours(t *testing.T) {
	black, white := color.NRGBA{A: 0xff}, color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	grey := color.NRGBA{R: 0x76, G: 0x76, B: 0x76, A: 0xff} // the lightest grey at 4.5:1 on white
	for _, c := range []struct {
		a, b color.Color
		want float64
	}{{black, white, 21}, {white, white, 1}, {grey, white, 4.54}} {
		if got := contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%v, %v) = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// TestClientTabOrderEveryScreen: on every client screen and in every
// language, Tab reaches every button and choice, in the order they are
// seen (top to bottom, then left to right).
func TestClientTabOrderEveryScreen(t *testing.T) {
	for _, l := range consent.Languages() {
		t.Run(l.Tag, func(t *testing.T) {
			f := newSessionFixture(t)
			if err := f.db.SetClientLanguage(firstClient(t, f).ID, l.Tag); err != nil {
				t.Fatal(err)
			}
			layOut(f.u.win, a11ySizes[0])
			for _, screen := range clientScreens(t, f, 2) {
				want := actions(f.u.win)
				got := tabStops(f.u.win.Canvas())
				if !slices.Equal(sortedLabels(got), sortedLabels(want)) {
					t.Errorf("%s: Tab reaches %v; the screen's buttons and choices are %v", screen, keys(got), keys(want))
				}
				// "For the therapist" comes last; before it, the client's
				// own buttons and choices in the order they are seen.
				// (The summary has none: its Done is the way out.)
				therapist := fmt.Sprintf("%q", clientTextOf(l.Tag).ForTherapistText)
				if n := len(got); n > 0 && slices.Contains(sortedLabels(want), therapist) {
					if got[n-1].label != therapist {
						t.Errorf("%s: Tab ends on %s, want %s", screen, got[n-1].label, therapist)
					}
					got = got[:n-1]
				}
				if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].before(got[j]) }) {
					t.Errorf("%s: Tab order %v is not the order they are seen in", screen, keys(got))
				}
			}
		})
	}
}

// stop is a button or choice where it is seen: what it says, where.
type stop struct {
	label string
	at    fyne.Position
}

func stopOf(o fyne.CanvasObject) stop {
	return stop{label: label(o), at: fyne.CurrentApp().Driver().AbsolutePositionForObject(o)}
}

func sortedLabels(stops []stop) []string {
	var out []string
	for _, s := range stops {
		out = append(out, s.label)
	}
	slices.Sort(out)
	return out
}

// before orders by rows (top first), then left to right.
func (a stop) before(b stop) bool {
	if math.Abs(float64(a.at.Y-b.at.Y)) > 1 {
		return a.at.Y < b.at.Y
	}
	return a.at.X < b.at.X
}

func keys(stops []stop) []string {
	var out []string
	for _, s := range stops {
		out = append(out, fmt.Sprintf("%s at (%.0f,%.0f)", s.label, s.at.X, s.at.Y))
	}
	return out
}

// label is what a button or choice says.
func label(o fyne.CanvasObject) string {
	for _, x := range test.LaidOutObjects(o) {
		if t, ok := x.(*canvas.Text); ok && strings.TrimSpace(t.Text) != "" {
			return fmt.Sprintf("%q", t.Text)
		}
	}
	return describe(o)
}

// actions are the visible buttons and choices of w's content (laid out
// on its canvas: a radio group keeps spare items that are not).
func actions(w fyne.Window) []stop {
	var out []stop
	for _, x := range test.LaidOutObjects(w.Content()) {
		if at := fyne.CurrentApp().Driver().AbsolutePositionForObject(x); !x.Visible() || at.X < 0 || at.Y < 0 {
			continue
		}
		switch g := x.(type) {
		case *bigButton, *widget.Button, *widget.Check, *widget.Entry:
			out = append(out, stopOf(x))
		case *widget.RadioGroup:
			for _, o := range g.Options {
				out = append(out, stop{label: fmt.Sprintf("%q", o)})
			}
		}
	}
	return out
}

// tabStops are the objects Tab reaches, in order, once round.
func tabStops(c fyne.Canvas) []stop {
	c.Unfocus()
	var out []stop
	seen := map[fyne.Focusable]bool{}
	for range 60 {
		c.FocusNext()
		f := c.Focused()
		if f == nil || seen[f] {
			break
		}
		seen[f] = true
		out = append(out, stopOf(f.(fyne.CanvasObject)))
	}
	c.Unfocus()
	return out
}

// TestTouch: the answers and Stop act on a tap as on a click; a double
// tap acts once (the second tap lands on whatever replaced the button and
// must not make a choice for the client); a long press (a secondary tap
// on a touch screen) means nothing to them.
func TestTouch(t *testing.T) {
	for _, size := range a11ySizes {
		t.Run(fmt.Sprintf("%.0fx%.0f", size.Width, size.Height), func(t *testing.T) { testTouch(t, size) })
	}
}

func testTouch(t *testing.T, size fyne.Size) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	k := f.startSession(t, "Anna")
	layOut(f.u.win, size)
	anna := k.run.Participants()[0].ID
	for _, b := range []*bigButton{k.yes[anna], k.no[anna]} {
		var o fyne.CanvasObject = b
		if _, ok := o.(fyne.SecondaryTappable); ok {
			t.Errorf("%q takes a long press", b.Text)
		}
		if _, ok := o.(fyne.DoubleTappable); ok {
			t.Errorf("%q takes a double tap", b.Text)
		}
	}
	// A tap lands where a finger would: the answer scrolled into view.
	scrollTo := func(b *bigButton) fyne.Position {
		for _, o := range test.LaidOutObjects(f.u.win.Content()) {
			if sc, ok := o.(*container.Scroll); ok {
				sc.ScrollToOffset(fyne.NewPos(0, 0))
				d := fyne.CurrentApp().Driver()
				bottom := d.AbsolutePositionForObject(sc).Y + sc.Size().Height
				if y := d.AbsolutePositionForObject(b).Y + b.Size().Height; y > bottom {
					sc.ScrollToOffset(fyne.NewPos(0, y-bottom))
				}
			}
		}
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(b).Add(fyne.NewPos(b.Size().Width/2, b.Size().Height/2))
	}
	doubleTap := func(b *bigButton) {
		c := f.u.win.Canvas()
		at := scrollTo(b)
		test.TapCanvas(c, at)
		settle(f.u)
		test.TapCanvas(c, at)
		settle(f.u)
	}
	doubleTap(k.yes[anna])
	if !k.run.Recording() {
		t.Fatalf("a double tap on Yes leaves the session %v, want recording", k.run.State())
	}
	waitRecorded(t, k, 100*time.Millisecond)
	doubleTap(k.stop)
	if k.run.Recording() || !k.choosing {
		t.Fatalf("a double tap on Stop: recording %v, choosing %v; want stopped and asking what happens", k.run.Recording(), k.choosing)
	}
	recs, err := f.db.Recordings(k.run.ID())
	if err != nil || len(recs) != 1 || recs[0].State == storage.StateDeleted {
		t.Errorf("after a double tap on Stop the recording is %+v (%v): a choice was made for the client", recs, err)
	}
	// A single tap on a choice is taken, as a click is.
	test.TapCanvas(f.u.win.Canvas(), scrollTo(k.dropAll))
	settle(f.u)
	if recs, err := f.db.Recordings(k.run.ID()); err != nil || len(recs) != 1 || recs[0].State != storage.StateDeleted {
		t.Errorf("a tap on %q leaves the recording %+v (%v)", k.dropAll.Text, recs, err)
	}
}

// TestClientThemeContrast computes, from the client screens' theme in
// each variant, the contrast of every pair of colours a client screen
// draws text with on what it draws behind: text on the page, a problem in
// red on the page, labels on the buttons (plain, blue, red). A problem is
// rarely on screen when the walk above measures, so it is measured here.
func TestClientThemeContrast(t *testing.T) {
	pairs := []struct {
		what     string
		fg, back fyne.ThemeColorName
	}{
		{"text on the page", theme.ColorNameForeground, theme.ColorNameBackground},
		{"a problem on the page", theme.ColorNameError, theme.ColorNameBackground},
		{"a button's label", theme.ColorNameForeground, theme.ColorNameButton},
		{"a blue button's label", theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{"a red button's label", theme.ColorNameForegroundOnError, theme.ColorNameError},
	}
	for name, v := range map[string]fyne.ThemeVariant{"light": theme.VariantLight, "dark": theme.VariantDark} {
		th := largeTheme{Theme: variantTheme{Theme: theme.DefaultTheme(), variant: v}}
		page := th.Color(theme.ColorNameBackground, v)
		for _, p := range pairs {
			back := over(th.Color(p.back, v), page)
			ratio := contrast(over(th.Color(p.fg, v), back), back)
			t.Logf("%s: %s %.2f:1", name, p.what, ratio)
			if ratio < minContrast {
				t.Errorf("%s: %s has contrast %.2f:1, under %.1f:1", name, p.what, ratio, minContrast)
			}
		}
	}
}
