package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/storage"
)

// notesSearchScreen searches one client's typed notes, progress and
// process, across their sessions (storage.SearchNotes: unsealed in memory,
// nothing written); a result opens that session's notes at the line.
type notesSearchScreen struct {
	ui     *UI
	client storage.Client

	query   *widget.Entry
	find    *widget.Button
	summary *widget.Label
	results *widget.List
	back    *widget.Button
	matches []storage.NoteMatch
}

func newNotesSearchScreen(u *UI, c storage.Client) *notesSearchScreen {
	s := &notesSearchScreen{ui: u, client: c}
	s.query = widget.NewEntry()
	s.query.SetPlaceHolder("A word or words in " + c.Label + "'s notes")
	s.query.OnSubmitted = func(string) { s.search() }
	s.find = widget.NewButton("Search", s.search)
	s.find.Importance = widget.HighImportance
	s.summary = wrapped("Both kinds of typed notes are searched, in memory: nothing about a search is written to the disk.")
	s.results = widget.NewList(
		func() int { return len(s.matches) },
		func() fyne.CanvasObject {
			return widget.NewLabel("Monday 1 January 2026, 10:00 · progress notes: a line")
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.describe(s.matches[i])) },
	)
	s.results.OnSelected = s.open
	s.back = widget.NewButton("Back", func() { u.show(newPracticeScreen(u)) })
	return s
}

func (s *notesSearchScreen) content() fyne.CanvasObject {
	top := container.NewVBox(
		heading("Search "+s.client.Label+"'s notes"),
		container.NewBorder(nil, nil, nil, s.find, s.query),
		s.summary,
	)
	return container.NewBorder(top, container.NewHBox(s.back), nil, nil, s.results)
}

func (s *notesSearchScreen) focus() fyne.Focusable { return s.query }

// search finds the query in the client's notes and lists the lines.
func (s *notesSearchScreen) search() {
	s.ui.touch()
	s.results.UnselectAll()
	matches, err := s.ui.db.SearchNotes(s.client.ID, s.query.Text)
	s.matches = matches
	s.results.Refresh()
	switch {
	case err != nil && len(matches) == 0:
		s.ui.opt.Logf("searching notes: %v", err)
		s.summary.SetText("The notes could not be searched.")
	case err != nil:
		s.ui.opt.Logf("searching notes: %v", err)
		s.summary.SetText(fmt.Sprintf("%s Some sessions' notes could not be read.", foundText(matches)))
	default:
		s.summary.SetText(foundText(matches))
	}
}

// foundText says how many lines were found in how many sessions.
func foundText(matches []storage.NoteMatch) string {
	sessions := map[string]bool{}
	for _, m := range matches {
		sessions[m.SessionID] = true
	}
	switch {
	case len(matches) == 0:
		return "Nothing found."
	case len(matches) == storage.MaxNoteMatches:
		return fmt.Sprintf("The first %d lines found, in %d sessions. Try more words.", len(matches), len(sessions))
	}
	return fmt.Sprintf("%s found, in %s.", plural(len(matches), "line"), plural(len(sessions), "session"))
}

// describe is a result's line in the list: when, which notes, the line.
func (s *notesSearchScreen) describe(m storage.NoteMatch) string {
	kind := "progress notes"
	if m.Process {
		kind = "process notes (private)"
	}
	return m.StartedAt.In(s.ui.opt.Location).Format("Monday 2 January 2006, 15:04") + " · " + kind + ": " + m.Text
}

// open shows the session of result i with its notes at the line found.
func (s *notesSearchScreen) open(i widget.ListItemID) {
	if i < 0 || i >= len(s.matches) {
		return
	}
	m := s.matches[i]
	var e *notesEditor
	if s.ui.run != nil && s.ui.run.ID() == m.SessionID {
		// The session under way: its own screen, with its controls.
		ss := newSessionScreen(s.ui, s.ui.run)
		s.ui.show(ss)
		e = ss.notesEditor
	} else {
		ns := newNotesScreen(s.ui, s.client, m.SessionID, m.StartedAt, s)
		s.ui.show(ns)
		e = ns.notesEditor
	}
	e.showLine(m.Process, m.Line)
}

// notesScreen is the notes of a session that has ended, to read and go on
// writing: the same tabs as during the session, saved as they change.
type notesScreen struct {
	ui      *UI
	title   string
	problem *widget.Label
	back    *widget.Button
	*notesEditor
}

// newNotesScreen shows the notes of session sessionID of client c, begun
// at started; Back saves them and returns to from.
func newNotesScreen(u *UI, c storage.Client, sessionID string, started time.Time, from screen) *notesScreen {
	s := &notesScreen{ui: u, problem: newProblemLabel()}
	s.title = c.Label + ": notes of the session of " + started.In(u.opt.Location).Format("Monday 2 January 2006, 15:04")
	s.notesEditor = newNotesEditor(u, sessionID, s.problem)
	s.back = widget.NewButton("Back", func() {
		s.saveNotes()
		u.show(from)
	})
	return s
}

func (s *notesScreen) content() fyne.CanvasObject {
	top := container.NewVBox(heading(s.title), s.problem)
	return container.NewBorder(top, container.NewBorder(nil, nil, s.back, nil, s.saved), nil, nil, s.notesEditor.content())
}

func (s *notesScreen) focus() fyne.Focusable { return s.notes }
