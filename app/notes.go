package app

import (
	"fyne.io/fyne/v2/widget"
)

// The two kinds of notes, as the therapist sees them. Progress notes are
// part of the record: the therapist may show them in the client's record.
// Process notes are the therapist's private working notes, kept apart from
// the record (as HIPAA keeps psychotherapy notes): no export, receipt,
// client record or copy ever reads them. The only way notes reach the
// client's materials is withProgressNotes, which reads storage.Notes.Text
// and nothing else.

const (
	// processTabText names the typed process notes' tab.
	processTabText = "Process notes (private)"
	// progressTabText names the typed progress notes' tab.
	progressTabText = "Progress notes"
	// processCheckText makes a handwritten page process notes.
	processCheckText = "Private process note"
	// processMarkText marks process notes wherever they are shown.
	processMarkText = "Private process notes: kept apart from the record. They never appear in an export, a receipt, the client's record or a copy."
)

// processMark is the label that marks process notes on screen.
func processMark() *widget.Label {
	l := wrapped(processMarkText)
	l.Importance = widget.WarningImportance
	return l
}
