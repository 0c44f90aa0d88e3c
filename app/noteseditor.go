package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/ink"
	"github.com/assent-recorder/assent/storage"
)

// notesSaveDelay is how long after the last keystroke notes are saved.
const notesSaveDelay = time.Second

// notesEditor is one session's notes as the therapist writes them: typed
// progress notes (with templates), typed process notes (marked private)
// and the handwriting, in three tabs, sealed and saved a moment after each
// change. The session screen holds one while the session runs; the notes
// screen holds one for a session that has ended.
type notesEditor struct {
	ui        *UI
	sessionID string

	// notes are the typed progress notes, process the typed process
	// notes (private, never in any export).
	notes   *notesEntry
	process *notesEntry
	ink     *handwritingPage
	// template inserts a template's headings into the progress notes.
	template *widget.Select
	// tabs hold the progress notes, the process notes and the handwriting.
	tabs *container.AppTabs
	// unreadInk holds handwriting that could not be read: it is saved back
	// unchanged rather than lost.
	unreadInk []byte
	// saved says when the notes were last saved, or why they were not.
	saved *widget.Label

	saveTimer *time.Timer
	dirty     bool

	// recordingTime is the recording being made and how far it is, for
	// stampKey; nil, or ok false, when nothing is being recorded.
	recordingTime func() (segment int, at time.Duration, ok bool)
}

// newNotesEditor reads session sessionID's notes into a new editor; a
// problem reading them is said in problem.
func newNotesEditor(u *UI, sessionID string, problem *widget.Label) *notesEditor {
	e := &notesEditor{ui: u, sessionID: sessionID}
	e.notes = newNotesEntry()
	e.notes.Wrapping = fyne.TextWrapWord
	e.notes.SetPlaceHolder("Progress notes: part of the record. They are encrypted and saved as you type, and kept when a recording is deleted. While recording, Ctrl+T starts a line with the recording time. Tab moves on to the next control.")
	e.template = e.templateChoice()
	e.process = newNotesEntry()
	e.process.Wrapping = fyne.TextWrapWord
	e.process.SetPlaceHolder("Process notes: your private working notes, encrypted and saved as you type.")
	e.saved = widget.NewLabel("")
	e.saved.Importance = widget.LowImportance
	var pages []ink.Sheet
	if n, err := u.db.Notes(sessionID); err == nil {
		e.notes.SetText(n.Text)
		e.process.SetText(n.Process)
		if pages, err = ink.Decode(n.Ink); err != nil {
			u.opt.Logf("reading handwriting: %v", err)
			e.unreadInk = n.Ink
			problem.SetText("The handwritten pages could not be read. They are kept as they were; new handwriting is not saved.")
		}
	} else {
		u.opt.Logf("reading notes: %v", err)
	}
	e.ink = newHandwritingPage(pages)
	e.ink.OnChanged = func() { e.notesChanged("") }
	e.ink.OnSavePDF = e.savePagePDF
	e.notes.OnChanged = e.notesChanged
	e.process.OnChanged = e.notesChanged
	e.notes.onStamp = func() { e.stamp(e.notes) }
	e.process.onStamp = func() { e.stamp(e.process) }
	e.tabs = container.NewAppTabs(
		container.NewTabItem(progressTabText, container.NewBorder(container.NewHBox(e.template), nil, nil, nil, e.notes)),
		container.NewTabItem(processTabText, container.NewBorder(processMark(), nil, nil, nil, e.process)),
		container.NewTabItem("Handwriting", e.ink.content()),
	)
	return e
}

// content is the three tabs of notes.
func (e *notesEditor) content() fyne.CanvasObject { return e.tabs }

// showLine shows line (from 0) of the process notes or the progress notes,
// with the cursor at its start.
func (e *notesEditor) showLine(process bool, line int) {
	entry, tab := e.notes, 0
	if process {
		entry, tab = e.process, 1
	}
	e.tabs.SelectIndex(tab)
	entry.CursorRow, entry.CursorColumn = line, 0
	entry.Refresh()
	e.ui.win.Canvas().Focus(entry)
}

// notesChanged saves the notes a moment after typing stops.
func (e *notesEditor) notesChanged(string) {
	e.ui.touch()
	e.dirty = true
	e.saved.SetText("")
	if e.saveTimer != nil {
		e.saveTimer.Stop()
	}
	e.saveTimer = time.AfterFunc(notesSaveDelay, func() { e.ui.do(e.saveNotes) })
}

// leaving saves the notes typed since the last save now, so that their
// timer does not outlive the screen.
func (e *notesEditor) leaving() {
	if e.saveTimer != nil {
		e.saveTimer.Stop()
	}
	e.saveNotes()
}

// saveNotes seals the notes now if they changed.
func (e *notesEditor) saveNotes() {
	if !e.dirty {
		return
	}
	handwriting := e.unreadInk
	if handwriting == nil {
		var err error
		if handwriting, err = e.ink.encoded(); err != nil {
			e.ui.opt.Logf("encoding handwriting: %v", err)
			e.saved.SetText("The handwriting could not be saved. Keep this screen open and try again.")
			return
		}
	}
	if err := e.ui.db.SaveNotes(e.sessionID, storage.Notes{Text: e.notes.Text, Process: e.process.Text, Ink: handwriting}); err != nil {
		e.ui.opt.Logf("saving notes: %v", err)
		e.saved.SetText("The notes could not be saved. Keep this screen open and try again.")
		return
	}
	e.dirty = false
	e.saved.SetText("Saved, encrypted, at " + e.ui.opt.Now().In(e.ui.opt.Location).Format("15:04:05"))
}

// notesEntry is the typed-notes box: many lines, but Tab (and Shift+Tab)
// move the keyboard on to the next control rather than typing a tab, so
// that "End the session" and the rest are reachable by keyboard.
type notesEntry struct {
	widget.Entry

	// onStamp is called for stampKey, onMark for markKey.
	onStamp, onMark func()
}

func newNotesEntry() *notesEntry {
	e := &notesEntry{}
	e.MultiLine = true
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab is false: Tab leaves the box.
func (e *notesEntry) AcceptsTab() bool { return false }

// stamp starts the line under the cursor in entry with the recording time,
// when something is being recorded.
func (e *notesEditor) stamp(entry *notesEntry) {
	if e.recordingTime == nil {
		return
	}
	seg, at, ok := e.recordingTime()
	if !ok {
		return
	}
	text, col := stampLine(entry.Text, entry.CursorRow, stampText(seg, at))
	row := entry.CursorRow
	entry.SetText(text)
	entry.CursorRow, entry.CursorColumn = row, col
	entry.Refresh()
}

// notesHolder is a screen with notes to save before the practice locks or
// the app quits.
type notesHolder interface {
	saveNotes()
}

var (
	_ notesHolder = (*sessionScreen)(nil)
	_ notesHolder = (*notesScreen)(nil)
)

// TypedShortcut handles stampKey and markKey (a focused entry gets
// shortcuts before the window); other shortcuts are the entry's.
func (e *notesEntry) TypedShortcut(s fyne.Shortcut) {
	for _, k := range []struct {
		key *desktop.CustomShortcut
		do  func()
	}{{stampKey, e.onStamp}, {markKey, e.onMark}} {
		if c, ok := s.(*desktop.CustomShortcut); ok && c.ShortcutName() == k.key.ShortcutName() {
			if k.do != nil {
				k.do()
			}
			return
		}
	}
	e.Entry.TypedShortcut(s)
}
