package ink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// magic starts every encoding; the byte after it is the version: 1 has
// no kinds (every sheet is progress notes), 2 starts each sheet with its
// Kind.
const (
	magic    = "AINK"
	version1 = 1
	version2 = 2
)

// Decode's errors all wrap ErrBadEncoding, and with it one of the other
// sentinels naming the fault. Encode's errors wrap ErrOverLimit,
// ErrEmptyStroke or ErrBadWidth (never ErrBadEncoding): what it refuses,
// Decode would refuse.
var (
	// ErrBadEncoding is wrapped by every error of Decode: the bytes are not
	// exactly one encoding that Encode could have written.
	ErrBadEncoding = errors.New("bad ink encoding")
	// ErrNotInk: the bytes do not start with the format's magic "AINK".
	ErrNotInk = errors.New("not an ink encoding")
	// ErrUnsupportedVersion: the version byte is not one this package
	// reads (1 or 2); a newer Assent may have written it.
	ErrUnsupportedVersion = errors.New("unsupported ink version")
	// ErrTruncated: the bytes end inside a field, or a count promises more
	// than the bytes left could hold.
	ErrTruncated = errors.New("ink encoding cut short")
	// ErrTrailing: bytes follow the last sheet.
	ErrTrailing = errors.New("bytes after the last sheet")
	// ErrOverLimit: more than MaxPages sheets or MaxStrokePoints points in a
	// stroke, or a number too long for any field.
	ErrOverLimit = errors.New("over the ink format's limits")
	// ErrEmptyStroke: a stroke without points.
	ErrEmptyStroke = errors.New("stroke without points")
	// ErrBadWidth: a stroke's Width is 0 or over MaxWidth.
	ErrBadWidth = errors.New("pen width out of range")
	// ErrOffSheet: a point lies beyond MaxCoord or below 0.
	ErrOffSheet = errors.New("point off the sheet")
	// ErrBadKind: a sheet's kind is neither Progress nor Process.
	ErrBadKind = errors.New("unknown kind of page")
)

// Encode writes sheets compactly, in the layout of FORMAT.md: the first
// point of each stroke in full, then each next one as its difference from
// the one before, so that most points take two bytes. No sheets give a
// valid encoding of no sheets (see Decode for empty input). Sheets that
// are all progress notes are written in version 1 (as earlier versions
// wrote them, and can read them); any process page makes it version 2,
// which gives every sheet its kind.
//
// It refuses, writing nothing, what Decode would refuse: more than
// MaxPages sheets or a stroke of more than MaxStrokePoints points
// (ErrOverLimit), a stroke without points (ErrEmptyStroke), a Width of 0
// or over MaxWidth (ErrBadWidth), a Kind other than Progress or Process
// (ErrBadKind). Every Point is on the sheet by its type.
func Encode(sheets []Sheet) ([]byte, error) {
	if len(sheets) > MaxPages {
		return nil, fmt.Errorf("encoding ink: %w: %d sheets, at most %d", ErrOverLimit, len(sheets), MaxPages)
	}
	version := byte(version1)
	for i, p := range sheets {
		switch p.Kind {
		case Progress:
		case Process:
			version = version2
		default:
			return nil, fmt.Errorf("encoding ink: sheet %d: %w: %d", i+1, ErrBadKind, p.Kind)
		}
	}
	size := len(magic) + 1 + binary.MaxVarintLen64
	for _, p := range sheets {
		size += binary.MaxVarintLen64
		for _, s := range p.Strokes {
			size += 3*binary.MaxVarintLen64 + 2*len(s.Points)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(len(sheets)))
	for i, p := range sheets {
		if version == version2 {
			b = append(b, byte(p.Kind))
		}
		b = binary.AppendUvarint(b, uint64(len(p.Strokes)))
		for j, s := range p.Strokes {
			switch {
			case len(s.Points) == 0:
				return nil, fmt.Errorf("encoding ink: sheet %d stroke %d: %w", i+1, j+1, ErrEmptyStroke)
			case len(s.Points) > MaxStrokePoints:
				return nil, fmt.Errorf("encoding ink: sheet %d stroke %d: %w: %d points, at most %d", i+1, j+1, ErrOverLimit, len(s.Points), MaxStrokePoints)
			case s.Width == 0 || s.Width > MaxWidth:
				return nil, fmt.Errorf("encoding ink: sheet %d stroke %d: %w: %d, want 1..%d", i+1, j+1, ErrBadWidth, s.Width, MaxWidth)
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

// Decode reads what Encode wrote. Empty input (notes saved without
// handwriting) is no sheets and no error. Anything else that is not
// exactly one well-formed encoding is refused with an error wrapping
// ErrBadEncoding and the sentinel that names the fault: ErrNotInk,
// ErrUnsupportedVersion, ErrTruncated, ErrTrailing, ErrOverLimit,
// ErrEmptyStroke, ErrBadWidth, ErrOffSheet or ErrBadKind. Version 1's
// sheets are all Progress. It never panics, and
// allocates no more than the input's length justifies: a count larger than
// the bytes that follow could hold is refused before anything is made for
// it.
//
// What Decode accepts, Encode writes again to the same sheets, in no more
// bytes than it was given.
func Decode(data []byte) ([]Sheet, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if len(data) < len(magic)+1 || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("decoding ink: %w: %w", ErrBadEncoding, ErrNotInk)
	}
	v := data[len(magic)]
	if v != version1 && v != version2 {
		return nil, fmt.Errorf("decoding ink: %w: %w: version %d, this Assent reads %d and %d", ErrBadEncoding, ErrUnsupportedVersion, v, version1, version2)
	}
	d := decoder{b: data[len(magic)+1:]}
	// Each sheet takes at least a byte (two with its kind), each stroke at
	// least four, each point after the first at least two: counts above
	// that are lies.
	sheetBytes := 1
	if v == version2 {
		sheetBytes = 2
	}
	nSheets, err := d.count("sheets", MaxPages, sheetBytes)
	if err != nil {
		return nil, fmt.Errorf("decoding ink: %w", err)
	}
	sheets := make([]Sheet, nSheets)
	for i := range sheets {
		if v == version2 {
			if len(d.b) == 0 {
				return nil, fmt.Errorf("decoding ink: sheet %d: %w", i+1, bad(ErrTruncated, "kind"))
			}
			k := Kind(d.b[0])
			if k != Progress && k != Process {
				return nil, fmt.Errorf("decoding ink: sheet %d: %w", i+1, bad(ErrBadKind, "%d", k))
			}
			sheets[i].Kind, d.b = k, d.b[1:]
		}
		nStrokes, err := d.count("strokes", math.MaxInt32, 4)
		if err != nil {
			return nil, fmt.Errorf("decoding ink: sheet %d: %w", i+1, err)
		}
		if nStrokes > 0 {
			sheets[i].Strokes = make([]Stroke, nStrokes)
		}
		for j := range sheets[i].Strokes {
			s, err := d.stroke()
			if err != nil {
				return nil, fmt.Errorf("decoding ink: sheet %d stroke %d: %w", i+1, j+1, err)
			}
			sheets[i].Strokes[j] = s
		}
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("decoding ink: %w: %w: %d bytes", ErrBadEncoding, ErrTrailing, len(d.b))
	}
	return sheets, nil
}

// decoder reads the fields of an encoding from b, which holds what is left.
type decoder struct{ b []byte }

// bad is a refusal: ErrBadEncoding, the sentinel why, and the detail.
func bad(why error, format string, a ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrBadEncoding, why, fmt.Sprintf(format, a...))
}

// varintError tells a field cut short (n == 0) from one that overflows 64
// bits (n < 0), as encoding/binary reports them.
func varintError(what string, n int) error {
	if n == 0 {
		return bad(ErrTruncated, "%s", what)
	}
	return bad(ErrOverLimit, "%s longer than 64 bits", what)
}

func (d *decoder) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, varintError(what, n)
	}
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) varint(what string) (int64, error) {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		return 0, varintError(what, n)
	}
	d.b = d.b[n:]
	return v, nil
}

// count reads a count of items that each need at least minBytes of what
// remains, and at most limit of them.
func (d *decoder) count(what string, limit, minBytes int) (int, error) {
	v, err := d.uvarint(what)
	if err != nil {
		return 0, err
	}
	if v > uint64(limit) {
		return 0, bad(ErrOverLimit, "%d %s, at most %d", v, what, limit)
	}
	if v > uint64(len(d.b)/minBytes) {
		return 0, bad(ErrTruncated, "%d %s in %d bytes", v, what, len(d.b))
	}
	return int(v), nil
}

func (d *decoder) stroke() (Stroke, error) {
	w, err := d.uvarint("width")
	if err != nil {
		return Stroke{}, err
	}
	if w == 0 || w > MaxWidth {
		return Stroke{}, bad(ErrBadWidth, "%d, want 1..%d", w, MaxWidth)
	}
	n, err := d.uvarint("points")
	if err != nil {
		return Stroke{}, err
	}
	switch {
	case n == 0:
		return Stroke{}, bad(ErrEmptyStroke, "0 points")
	case n > MaxStrokePoints:
		return Stroke{}, bad(ErrOverLimit, "%d points, at most %d", n, MaxStrokePoints)
	case n-1 > uint64(len(d.b)/2):
		return Stroke{}, bad(ErrTruncated, "%d points in %d bytes", n, len(d.b))
	}
	x, err := d.uvarint("x")
	if err != nil {
		return Stroke{}, err
	}
	y, err := d.uvarint("y")
	if err != nil {
		return Stroke{}, err
	}
	if x > MaxCoord || y > MaxCoord {
		return Stroke{}, bad(ErrOffSheet, "point 1 at (%d, %d)", x, y)
	}
	s := Stroke{Width: uint16(w), Points: make([]Point, n)}
	s.Points[0] = Point{X: uint16(x), Y: uint16(y)}
	cx, cy := int64(x), int64(y)
	for k := 1; k < int(n); k++ {
		dx, err := d.varint("dx")
		if err != nil {
			return Stroke{}, err
		}
		dy, err := d.varint("dy")
		if err != nil {
			return Stroke{}, err
		}
		// Both deltas are bounded before adding, so the sums cannot
		// overflow.
		if dx < -MaxCoord || dx > MaxCoord || dy < -MaxCoord || dy > MaxCoord {
			return Stroke{}, bad(ErrOffSheet, "point %d moved by (%d, %d)", k+1, dx, dy)
		}
		cx, cy = cx+dx, cy+dy
		if cx < 0 || cx > MaxCoord || cy < 0 || cy > MaxCoord {
			return Stroke{}, bad(ErrOffSheet, "point %d at (%d, %d)", k+1, cx, cy)
		}
		s.Points[k] = Point{X: uint16(cx), Y: uint16(cy)}
	}
	return s, nil
}
