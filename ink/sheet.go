package ink

import (
	"image/color"
	"math"
)

const (
	// Aspect is a sheet's width over its height: A4 landscape.
	Aspect = math.Sqrt2
	// MaxCoord is a sheet's largest coordinate, at its right edge (X) and
	// its bottom edge (Y).
	MaxCoord = math.MaxUint16
	// WidthUnit is what a Stroke's Width counts: 1/WidthUnit of the
	// sheet's width.
	WidthUnit = 10000
	// MaxWidth is the largest Width of a stroke, a tenth of the sheet.
	MaxWidth = 1000
	// PenWidth is the pen's Width: about 3 pixels on a sheet drawn 1100
	// pixels wide.
	PenWidth = 28
	// EraserRadius is how near, as a share of the sheet's width, the
	// eraser must come to the edge of a stroke's line to remove it.
	EraserRadius = 0.012
	// MaxPages is the most sheets one session's notes may have.
	MaxPages = 1000
	// MaxStrokePoints is the most points in one stroke; a longer line is
	// to go on as a new stroke.
	MaxStrokePoints = 1 << 16
)

// Point is a point on a sheet: X from 0 (left edge) to MaxCoord (right
// edge), Y from 0 (top) to MaxCoord (bottom).
type Point struct{ X, Y uint16 }

// Stroke is one line drawn without lifting the pen, or a dot (one point).
// Its points are the ones the pen passed through; the line drawn is
// smoothed through them (see DrawPieces). A stroke that is saved has 1 to
// MaxStrokePoints points and a Width of 1 to MaxWidth.
type Stroke struct {
	// Width is the pen's width in 1/WidthUnit of the sheet's width.
	Width  uint16
	Points []Point
}

// Sheet is one page of handwriting, its strokes in the order drawn: later
// strokes lie over earlier ones.
type Sheet struct {
	// Kind says whether the page is progress notes (the record) or
	// process notes (the therapist's private notes).
	Kind    Kind
	Strokes []Stroke
}

// Kind is what a page of notes is. The zero Kind is Progress.
type Kind uint8

const (
	// Progress notes are part of the clinical record: the therapist may
	// show them in the client's record.
	Progress Kind = iota
	// Process notes are the therapist's private working notes, kept apart
	// from the record: nothing that leaves the practice carries them.
	Process
)

// Private reports whether pages of kind k must stay out of everything that
// leaves the practice (exports, receipts, the client's record and copy).
func (k Kind) Private() bool { return k != Progress }

// Shareable returns the sheets that may go into the client's materials:
// those of kind Progress, in order. Process pages are left out.
func Shareable(sheets []Sheet) []Sheet {
	var out []Sheet
	for _, s := range sheets {
		if !s.Kind.Private() {
			out = append(out, s)
		}
	}
	return out
}

// Tool is what moving over a sheet does.
type Tool int

const (
	// Pen draws a stroke of PenWidth.
	Pen Tool = iota
	// Eraser removes, whole, every stroke it touches (EraserTouches).
	Eraser
)

// The colours are a document's, not a theme's: dark ink on white paper,
// whatever the screen around them looks like.
var (
	// Colour is the ink's colour; Render and DrawPieces paint it.
	Colour = color.NRGBA{R: 0x1a, G: 0x23, B: 0x7e, A: 0xff}
	// PaperColour is the colour of the sheet beneath the ink.
	PaperColour = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)
