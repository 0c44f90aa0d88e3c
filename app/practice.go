package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// practiceScreen is the therapist's home once unlocked: the clients, the
// chosen client's sessions, and "Start a session".
type practiceScreen struct {
	ui       *UI
	clients  []storage.Client
	list     *widget.List
	newLabel *widget.Entry
	add      *widget.Button
	problem  *widget.Label
	notice   *widget.Label // what happened while the app was closed
	archived *widget.Check // show archived clients instead

	selected   int // index in clients, or -1
	detail     *fyne.Container
	heading    *widget.Label
	rename     *widget.Entry
	sessions   *widget.Label
	start      *widget.Button
	archiveBtn *widget.Button
}

func newPracticeScreen(u *UI) *practiceScreen {
	s := &practiceScreen{ui: u, selected: -1}
	s.newLabel = widget.NewEntry()
	s.newLabel.SetPlaceHolder("New client's label (initials or a code will do)")
	s.newLabel.OnSubmitted = func(string) { s.addClient() }
	s.add = widget.NewButton("Add client", s.addClient)
	s.problem = newProblemLabel()
	s.notice = wrapped("")
	s.notice.Importance = widget.WarningImportance
	s.list = widget.NewList(
		func() int { return len(s.clients) },
		func() fyne.CanvasObject { return widget.NewLabel("client label") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.clients[i].Label) },
	)
	s.list.OnSelected = s.selectClient
	s.archived = widget.NewCheck("Show archived clients", func(bool) {
		s.selected = -1
		s.list.UnselectAll()
		s.reload()
		s.detail.Objects = nil
		s.detail.Refresh()
	})
	s.heading = bold("")
	s.rename = widget.NewEntry()
	s.rename.OnSubmitted = func(string) { s.renameClient() }
	s.sessions = wrapped("")
	s.start = widget.NewButton("Start a session", s.startSession)
	s.start.Importance = widget.HighImportance
	s.detail = container.NewVBox(wrapped("Add a client on the left, or choose one, to see their sessions and start a new one."))
	s.reload()
	return s
}

func (s *practiceScreen) content() fyne.CanvasObject {
	lock := widget.NewButton("Lock", s.ui.Lock)
	recordings := widget.NewButton("Recordings", func() { s.ui.show(newLibraryScreen(s.ui)) })
	settings := widget.NewButton("Settings", func() { s.ui.show(newSettingsScreen(s.ui)) })
	left := container.NewBorder(
		bold("Clients"),
		container.NewVBox(s.newLabel, s.add, s.archived, s.problem),
		nil, nil, s.list)
	folder := widget.NewLabel("Data folder: " + s.ui.opt.DataDir)
	folder.Importance = widget.LowImportance
	folder.Truncation = fyne.TextTruncateEllipsis
	right := container.NewBorder(s.notice, container.NewBorder(nil, nil, container.NewHBox(lock, recordings, settings), nil, folder), nil, nil,
		container.NewPadded(container.NewVScroll(s.detail)))
	split := container.NewHSplit(left, right)
	split.Offset = 0.3
	return split
}

func (s *practiceScreen) focus() fyne.Focusable { return s.newLabel }

// reload reads the clients again: the active ones, or the archived ones
// when asked for.
func (s *practiceScreen) reload() {
	all, err := s.ui.db.Clients()
	if err != nil {
		s.ui.opt.Logf("listing clients: %v", err)
		s.problem.SetText("The client list could not be read.")
		return
	}
	showArchived := s.archived != nil && s.archived.Checked
	s.clients = s.clients[:0]
	for _, c := range all {
		if c.ArchivedAt.IsZero() != showArchived {
			s.clients = append(s.clients, c)
		}
	}
	s.list.Refresh()
}

// archive hides the selected client from the list, or brings them back.
// Nothing of theirs is deleted; recordings keep their deletion dates.
func (s *practiceScreen) archive() {
	if s.selected < 0 {
		return
	}
	c := s.clients[s.selected]
	if err := s.ui.db.ArchiveClient(c.ID, c.ArchivedAt.IsZero()); err != nil {
		s.ui.opt.Logf("archiving a client: %v", err)
		s.problem.SetText("The client could not be archived. Nothing was changed.")
		return
	}
	s.selected = -1
	s.list.UnselectAll()
	s.reload()
	s.detail.Objects = []fyne.CanvasObject{wrapped(c.Label + " was moved. Their sessions, notes and deletion dates are unchanged.")}
	s.detail.Refresh()
}

func (s *practiceScreen) addClient() {
	label := strings.TrimSpace(s.newLabel.Text)
	if label == "" {
		s.problem.SetText("Type a label for the client first.")
		return
	}
	c, err := s.ui.db.CreateClient(label)
	if err != nil {
		s.ui.opt.Logf("adding a client: %v", err)
		s.problem.SetText("The client could not be added. Nothing was changed.")
		return
	}
	s.problem.SetText("")
	s.newLabel.SetText("")
	s.reload()
	for i := range s.clients {
		if s.clients[i].ID == c.ID {
			s.list.Select(i)
		}
	}
	// The next thing is usually to start their first session.
	s.ui.win.Canvas().Focus(s.start)
}

// selectClient shows client i's sessions.
func (s *practiceScreen) selectClient(i widget.ListItemID) {
	if i < 0 || i >= len(s.clients) {
		return
	}
	s.ui.touch()
	s.selected = i
	c := s.clients[i]
	s.heading.SetText(c.Label)
	s.rename.SetText(c.Label)
	s.sessions.SetText(s.sessionLines(c))
	renameButton := widget.NewButton("Rename", s.renameClient)
	archiveLabel := "Archive this client"
	if !c.ArchivedAt.IsZero() {
		archiveLabel = "Bring this client back from the archive"
	}
	record := widget.NewButton("Client's record: was I recorded?", s.showRecord)
	search := widget.NewButton("Search this client's notes", func() { s.ui.show(newNotesSearchScreen(s.ui, c)) })
	s.archiveBtn = widget.NewButton(archiveLabel, s.archive)
	s.archiveBtn.Importance = widget.LowImportance
	s.detail.Objects = []fyne.CanvasObject{
		s.heading,
		container.NewBorder(nil, nil, nil, renameButton, s.rename),
		container.NewGridWithColumns(2, s.start, record),
		search,
		bold("Sessions"),
		s.sessions,
		s.archiveBtn,
	}
	if !c.ArchivedAt.IsZero() {
		s.start.Disable()
	} else {
		s.start.Enable()
	}
	s.detail.Refresh()
}

func (s *practiceScreen) renameClient() {
	if s.selected < 0 {
		return
	}
	label := strings.TrimSpace(s.rename.Text)
	if label == "" {
		return
	}
	if err := s.ui.db.RenameClient(s.clients[s.selected].ID, label); err != nil {
		s.ui.opt.Logf("renaming a client: %v", err)
		s.problem.SetText("The client could not be renamed.")
		return
	}
	i := s.selected
	s.reload()
	s.selectClient(i)
}

// showRecord opens the selected client's record.
func (s *practiceScreen) showRecord() {
	if s.selected < 0 {
		return
	}
	r, err := newClientRecordScreen(s.ui, s.clients[s.selected], false)
	if err != nil {
		s.ui.opt.Logf("reading a client's record: %v", err)
		s.problem.SetText("The client's record could not be read.")
		return
	}
	s.ui.show(r)
}

// sessionLines describes each of the client's sessions on a line: when,
// what was agreed, and what happens to any recording.
func (s *practiceScreen) sessionLines(c storage.Client) string {
	sessions, err := s.ui.db.Sessions(c.ID)
	if err != nil {
		s.ui.opt.Logf("listing sessions: %v", err)
		return "The sessions could not be read."
	}
	if len(sessions) == 0 {
		return "No sessions yet."
	}
	var lines []string
	for _, ss := range sessions {
		lines = append(lines, s.ui.summarise(ss).line(s.ui.opt.Location, s.ui.opt.Now()))
	}
	return strings.Join(lines, "\n")
}

func (s *practiceScreen) startSession() {
	if s.selected < 0 {
		return
	}
	s.ui.show(newStartScreen(s.ui, s.clients[s.selected]))
}

// sessionSummary is what a list shows of one session.
type sessionSummary struct {
	started   time.Time
	outcome   consent.Outcome
	recorded  time.Duration
	live      int       // recordings not yet deleted
	deleteOn  time.Time // the earliest deletion date of the live ones
	deletedAt time.Time // when the last one was deleted, if all are
	unknown   bool      // the history could not be read
}

// summarise reads a session's consent history and recordings.
func (u *UI) summarise(ss storage.Session) sessionSummary {
	sum := sessionSummary{started: ss.StartedAt}
	cs, err := session.Replay(u.db, ss, u.opt.Location)
	if err != nil {
		u.opt.Logf("replaying session %s: %v", ss.ID, err)
		sum.unknown = true
		return sum
	}
	sum.outcome = cs.Receipt(consent.CollectionOnScreen, "").Outcome
	recs, err := u.db.Recordings(ss.ID)
	if err != nil {
		u.opt.Logf("listing recordings of %s: %v", ss.ID, err)
		sum.unknown = true
		return sum
	}
	for _, r := range recs {
		sum.recorded += r.Duration
		if r.State == storage.StateDeleted {
			if r.DeletedAt.After(sum.deletedAt) {
				sum.deletedAt = r.DeletedAt
			}
			continue
		}
		sum.live++
		if sum.deleteOn.IsZero() || r.DeleteOn.Before(sum.deleteOn) {
			sum.deleteOn = r.DeleteOn
		}
	}
	return sum
}

// line is the summary in one sentence.
func (s sessionSummary) line(loc *time.Location, now time.Time) string {
	when := s.started.In(loc).Format("Mon 2 Jan 2006, 15:04")
	if s.unknown {
		return when + ": the record could not be read."
	}
	var mode string
	switch s.outcome {
	case consent.OutcomeRecorded:
		mode = "recorded, " + humanDuration(s.recorded.Round(time.Second))
	case consent.OutcomeWithdrawn:
		mode = "recording stopped by the client"
		if s.recorded > 0 {
			mode += " after " + humanDuration(s.recorded.Round(time.Second))
		}
	case consent.OutcomeDeclined:
		mode = "declined: notes only"
	default:
		mode = "notes only"
	}
	switch {
	case s.live > 0:
		days := int(s.deleteOn.Sub(now).Hours()/24 + 0.999)
		mode += fmt.Sprintf("; deleted on %s (in %s)", consent.LongDate(s.deleteOn, loc), plural(days, "day"))
	case !s.deletedAt.IsZero():
		mode += "; recording deleted on " + consent.LongDate(s.deletedAt, loc)
	}
	return when + ": " + mode
}
