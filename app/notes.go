package app

import (
	"strings"

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

// settingNotesTemplate is the practice's own template for progress notes:
// its headings, one a line. Not clinical, so a plain setting.
const settingNotesTemplate = "notes_template"

// maxTemplateHeadings is the most headings the practice's own template may
// have.
const maxTemplateHeadings = 20

// noteTemplate is a template for typed progress notes: a name and the
// headings it inserts, nothing else.
type noteTemplate struct {
	name     string
	headings []string
}

// standardTemplates are the usual structures of progress notes.
var standardTemplates = []noteTemplate{
	{"SOAP", []string{"Subjective", "Objective", "Assessment", "Plan"}},
	{"DAP", []string{"Data", "Assessment", "Plan"}},
	{"BIRP", []string{"Behaviour", "Intervention", "Response", "Plan"}},
}

// practiceTemplateName names the practice's own template in the list.
const practiceTemplateName = "The practice's own"

// templateHeadings reads the practice's own template as typed in the
// settings: one heading a line, blank lines and a trailing colon dropped.
func templateHeadings(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if h := strings.TrimSuffix(strings.TrimSpace(line), ":"); h != "" {
			out = append(out, strings.TrimSpace(h))
		}
	}
	return out
}

// noteTemplates are the templates offered: the standard ones, then the
// practice's own when it has headings.
func (u *UI) noteTemplates() []noteTemplate {
	out := append([]noteTemplate(nil), standardTemplates...)
	if v, ok, err := u.db.Setting(settingNotesTemplate); err != nil {
		u.opt.Logf("reading the notes template: %v", err)
	} else if h := templateHeadings(v); ok && len(h) > 0 {
		out = append(out, noteTemplate{practiceTemplateName, h})
	}
	return out
}

// withTemplate is text with t's headings added at its end, each on its own
// line followed by an empty line to write in; nothing is filled in.
func withTemplate(text string, t noteTemplate) string {
	var b strings.Builder
	b.WriteString(text)
	if text != "" && !strings.HasSuffix(text, "\n\n") {
		if !strings.HasSuffix(text, "\n") {
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	for i, h := range t.headings {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(h + ":\n")
	}
	return b.String()
}

// templateChoice is the notes' "Insert a template" list, for
// the typed progress notes.
func (e *notesEditor) templateChoice() *widget.Select {
	templates := e.ui.noteTemplates()
	var names []string
	for _, t := range templates {
		names = append(names, t.name)
	}
	var sel *widget.Select
	sel = widget.NewSelect(names, func(name string) {
		if name == "" {
			return // cleared below
		}
		for _, t := range templates {
			if t.name == name {
				e.insertTemplate(t)
			}
		}
		sel.ClearSelected()
	})
	sel.PlaceHolder = "Insert a template…"
	return sel
}

// insertTemplate adds t's headings to the progress notes and puts the
// cursor under the first of them.
func (e *notesEditor) insertTemplate(t noteTemplate) {
	before := e.notes.Text
	e.notes.SetText(withTemplate(before, t))
	row := strings.Count(withTemplate(before, noteTemplate{headings: t.headings[:1]}), "\n")
	e.notes.CursorRow, e.notes.CursorColumn = row, 0
	e.notes.Refresh()
	e.ui.win.Canvas().Focus(e.notes)
}
