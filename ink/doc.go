// Package ink is handwriting as data: the sheets of a session's
// handwritten notes, the bytes they are saved as, which strokes an eraser
// touches, and how a sheet is drawn into an image. It imports only the
// standard library; the widget that follows a pen, a finger or a mouse is
// in package app.
//
// # Sheets, strokes and points
//
// A Sheet is one page of paper of fixed proportions, Aspect times as wide
// as it is high (A4 landscape). Its Points are in the sheet's own
// coordinates, 0 to MaxCoord across its width and down its height, so a
// sheet drawn in a small window looks the same, only larger, in a big one.
// A Stroke is one line drawn without lifting the pen, or a dot (a single
// point), with the pen's Width in 1/WidthUnit of the sheet's width. A
// sheet's strokes are in the order drawn. Strokes are treated as values:
// what changes a sheet replaces or removes strokes and never edits their
// points in place, so sheets may share them.
//
// # Saving
//
// Encode writes sheets compactly, about two bytes a point, and Decode
// reads them back; FORMAT.md beside this file is the byte layout. The
// format has limits (MaxPages, MaxStrokePoints, MaxWidth, MaxCoord) that
// Encode refuses to exceed and Decode refuses to read past. Decode takes
// empty input as "no handwriting", never panics, and refuses anything else
// that Encode could not have written with an error wrapping ErrBadEncoding
// and a sentinel that names the fault, for errors.Is:
//
//	sheets, err := ink.Decode(saved)
//	if errors.Is(err, ink.ErrUnsupportedVersion) {
//		// a newer Assent wrote it: say so, and keep the bytes as they are
//	}
//
// # Erasing
//
// The eraser removes whole strokes. EraserTouches reports whether the
// eraser, moved from one point to another, touches a stroke; StrokeNear
// and SegmentDistance are the geometry beneath it. Distances are in units
// of the sheet's width along both axes, so that they are true distances on
// the paper.
//
// # Drawing
//
// A stroke is drawn smoothed: curves from midpoint to midpoint between its
// points, straight at both ends. Render draws a sheet into a new image.
// DrawPieces draws part of a stroke into an existing one, so that a stroke
// can be drawn as it grows and come out exactly as Render draws it whole.
// The images are the ink's Colour with the line's coverage as alpha, to be
// laid over paper (PaperColour).
package ink
