package app

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// deleteReasons are offered in the "Delete now" dialog; the therapist may
// type another.
var deleteReasons = []string{
	"the client asked for it to be deleted",
	"no longer needed",
	"recorded by mistake",
}

// libraryEntry is one recording as the library lists it.
type libraryEntry struct {
	rec            storage.Recording
	client         string // the client's label
	sessionStarted time.Time
}

// libraryScreen is the therapist's list of every recording, newest first,
// with a player for the one chosen (see player.go). Playing is allowed
// only for the purposes the client agreed; storage counts and audits
// every opening.
type libraryScreen struct {
	ui      *UI
	entries []libraryEntry
	list    *widget.List
	problem *widget.Label
	back    *widget.Button

	selected int // index in entries, or -1
	detail   *fyne.Container
	heading  *widget.Label
	info     *widget.Label // what the recording is and when it goes
	refusal  *widget.Label // why it cannot be played or exported
	player   *player       // the chosen recording's controls and player
	export   *widget.Button
	remove   *widget.Button // "Delete now"

	// The "Delete now" dialog.
	deleteReason *widget.SelectEntry
	deleteDialog *dialog.FormDialog

	// The export dialog (see export.go).
	exportForm *exportForm
}

// newLibraryScreen returns the library, read from storage now.
func newLibraryScreen(u *UI) *libraryScreen {
	s := &libraryScreen{ui: u, selected: -1}
	s.problem = newProblemLabel()
	s.back = widget.NewButton("Back", s.leave)
	s.list = widget.NewList(
		func() int { return len(s.entries) },
		func() fyne.CanvasObject {
			title := bold("client, date")
			title.Truncation = fyne.TextTruncateEllipsis
			line := widget.NewLabel("details")
			line.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(title, line)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			rows := o.(*fyne.Container).Objects
			e := s.entries[i]
			rows[0].(*widget.Label).SetText(e.title(u.opt.Location))
			rows[1].(*widget.Label).SetText(e.line(u.opt.Now(), u.opt.Location))
		},
	)
	s.list.OnSelected = s.choose

	s.heading = heading("")
	s.info = wrapped("")
	s.refusal = wrapped("")
	s.refusal.Importance = widget.WarningImportance
	s.player = newPlayer(s)
	s.export = widget.NewButton("Export for supervision…", s.askExport)
	s.remove = widget.NewButton("Delete now…", s.askDelete)
	s.remove.Importance = widget.DangerImportance
	s.detail = container.NewVBox(wrapped("Choose a recording on the left to listen to it, export it for supervision or delete it."))
	s.reload()
	return s
}

func (s *libraryScreen) content() fyne.CanvasObject {
	left := container.NewBorder(headingLine("Recordings"), nil, nil, nil, s.list)
	right := container.NewBorder(s.problem, container.NewHBox(s.back), nil, nil,
		container.NewPadded(container.NewVScroll(s.detail)))
	split := container.NewHSplit(left, right)
	split.Offset = 0.45
	return split
}

func (s *libraryScreen) focus() fyne.Focusable { return nil }

// reload reads every recording of every client again, newest first.
func (s *libraryScreen) reload() {
	entries, err := libraryEntries(s.ui.db)
	if err != nil {
		s.ui.opt.Logf("listing recordings: %v", err)
		s.problem.SetText("The recordings could not be read. Nothing was changed.")
		return
	}
	s.entries = entries
	s.list.Refresh()
	if len(entries) == 0 {
		s.detail.Objects = []fyne.CanvasObject{wrapped("No recordings yet. A session is recorded only when everyone present says yes on the client screen.")}
		s.detail.Refresh()
	}
}

// libraryEntries lists the recordings of every client, newest first.
// Storage has no single query for it; a practice holds a few hundred
// sessions at most.
func libraryEntries(db *storage.DB) ([]libraryEntry, error) {
	clients, err := db.Clients()
	if err != nil {
		return nil, err
	}
	var out []libraryEntry
	for _, c := range clients {
		sessions, err := db.Sessions(c.ID)
		if err != nil {
			return nil, err
		}
		for _, ss := range sessions {
			recs, err := db.Recordings(ss.ID)
			if err != nil {
				return nil, err
			}
			label := c.Label
			if !c.ArchivedAt.IsZero() {
				label += " (archived)"
			}
			for _, r := range recs {
				out = append(out, libraryEntry{rec: r, client: label, sessionStarted: ss.StartedAt})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].rec, out[j].rec
		if !a.StartedAt.Equal(b.StartedAt) {
			return a.StartedAt.After(b.StartedAt)
		}
		return a.Segment > b.Segment
	})
	return out, nil
}

// title is the entry's first line: whose and when.
func (e libraryEntry) title(loc *time.Location) string {
	t := e.client + " — " + e.sessionStarted.In(loc).Format("Mon 2 Jan 2006, 15:04")
	if e.rec.Segment > 1 {
		t += fmt.Sprintf(" (part %d)", e.rec.Segment)
	}
	return t
}

// line is the entry's second line: how long, for what, and when it goes.
func (e libraryEntry) line(now time.Time, loc *time.Location) string {
	r := e.rec
	parts := []string{humanDuration(r.Duration.Round(time.Second)), agreedFor(r.Purposes)}
	switch r.State {
	case storage.StateDeleted:
		parts = append(parts, "deleted on "+consent.LongDate(r.DeletedAt, loc)+", "+r.DeleteReason)
	case storage.StateRecording:
		parts = append(parts, "being recorded, or waiting to be recovered after a crash")
	default:
		parts = append(parts, libraryCountdown(r.DeleteOn, now, loc)+" ("+consent.LongDate(r.DeleteOn, loc)+")")
	}
	return strings.Join(parts, " · ")
}

// agreedFor says what the client agreed the recording is for.
func agreedFor(purposes []string) string {
	if len(purposes) == 0 {
		return "no purpose agreed"
	}
	return "for " + agreedPurposes(purposes)
}

// libraryCountdown says when a recording is deleted, counting calendar
// days in loc as the client was shown them: "deleted in 12 days", "deleted
// today at midnight".
func libraryCountdown(deleteOn, now time.Time, loc *time.Location) string {
	if !deleteOn.After(now) {
		return "being deleted now"
	}
	d, n := deleteOn.In(loc), now.In(loc)
	days := civilDays(n, d)
	midnight := d.Hour() == 0 && d.Minute() == 0 && d.Second() == 0
	switch {
	case days == 0:
		return "deleted today at " + d.Format("15:04")
	case days == 1 && midnight:
		return "deleted today at midnight"
	case days == 1:
		return "deleted tomorrow at " + d.Format("15:04")
	}
	return "deleted in " + plural(days, "day")
}

// civilDays is the number of calendar days from a's date to b's date, each
// in its own location (the caller passes both in the same one).
func civilDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// playRefusal is the sentence saying why r cannot be played, or "".
func playRefusal(db *storage.DB, r storage.Recording, spk audio.Speaker) string {
	switch {
	case r.State == storage.StateDeleted:
		return "This recording was deleted: it can never be played again."
	case r.State == storage.StateRecording:
		return "This recording is still being made, or waits to be recovered at the next unlock; it can be played once it is finished."
	case recordingOwed(db, r.ID):
		return owedRecordingText
	case r.FileMissing:
		return notInBackupText
	}
	if err := session.MayPlay(db, r); err != nil {
		if errors.Is(err, storage.ErrTampered) {
			return agreedAlteredText
		}
		return "This recording can't be played: no purpose its session offered was agreed for it, so nobody may listen."
	}
	if spk == nil {
		return "Playback is unavailable: Assent found no loudspeaker or headphones on this computer."
	}
	return ""
}

// selectedEntry is the chosen recording, if any.
func (s *libraryScreen) selectedEntry() (libraryEntry, bool) {
	if s.selected < 0 || s.selected >= len(s.entries) {
		return libraryEntry{}, false
	}
	return s.entries[s.selected], true
}

// choose shows recording i with its player.
func (s *libraryScreen) choose(i widget.ListItemID) {
	if i < 0 || i >= len(s.entries) {
		return
	}
	s.ui.touch()
	e := s.entries[i]
	s.player.choose(e.rec.ID)
	s.selected = i
	s.problem.SetText("")
	s.heading.SetText(e.title(s.ui.opt.Location))
	s.info.SetText(s.describe(e.rec))

	parts := []fyne.CanvasObject{s.heading, s.info}
	refusal := playRefusal(s.ui.db, e.rec, s.ui.opt.Speaker)
	s.refusal.SetText(refusal)
	if refusal != "" {
		parts = append(parts, s.refusal)
	}
	if e.rec.State == storage.StateComplete || e.rec.State == storage.StateRecovered {
		markers := s.markers(e.rec)
		parts = append(parts, s.player.controls(e.rec.Duration, s.peaks(e.rec), markers, refusal == "")...)
		parts = append(parts, s.markerLinks(markers, refusal == "")...)
		parts = append(parts, s.noteLinks(e.rec, refusal == "")...)
	}
	if e.rec.State != storage.StateDeleted {
		if msg := exportRefusal(s.ui.db, e.rec); msg != "" {
			s.export.Disable()
			parts = append(parts, wrapped(msg))
		} else {
			s.export.Enable()
		}
		parts = append(parts, container.NewHBox(s.export, s.remove))
	}
	s.detail.Objects = parts
	s.detail.Refresh()
}

// describe says, in sentences, what the recording is and what happens to it.
func (s *libraryScreen) describe(r storage.Recording) string {
	loc, now := s.ui.opt.Location, s.ui.opt.Now()
	var b strings.Builder
	fmt.Fprintf(&b, "Recorded for %s, from %s. ", humanDuration(r.Duration.Round(time.Second)), r.StartedAt.In(loc).Format("15:04"))
	if len(r.Purposes) > 0 {
		fmt.Fprintf(&b, "The client agreed to it %s. ", agreedFor(r.Purposes))
	} else {
		b.WriteString("No purpose was agreed for it. ")
	}
	switch {
	case r.State == storage.StateDeleted:
		fmt.Fprintf(&b, "Deleted on %s: %s.", consent.LongDate(r.DeletedAt, loc), r.DeleteReason)
	default:
		fmt.Fprintf(&b, "It is deleted on %s: %s.", consent.LongDate(r.DeleteOn, loc), libraryCountdown(r.DeleteOn, now, loc))
	}
	switch r.Plays {
	case 0:
		b.WriteString(" Not played yet.")
	case 1:
		b.WriteString(" Played once.")
	default:
		fmt.Fprintf(&b, " Played %d times.", r.Plays)
	}
	return b.String()
}

// peaks reads the waveform stored with the recording: no decoding.
func (s *libraryScreen) peaks(r storage.Recording) []byte {
	if !r.HasPeaks {
		return nil
	}
	p, err := s.ui.db.Peaks(r.ID)
	if err != nil {
		s.ui.opt.Logf("reading the peaks of %s: %v", r.ID, err)
		return nil
	}
	return p.Levels
}

// markers reads the moments marked in the recording, in time order.
func (s *libraryScreen) markers(r storage.Recording) []storage.Marker {
	ms, err := s.ui.db.Markers(r.ID)
	if err != nil {
		s.ui.opt.Logf("reading the markers of %s: %v", r.ID, err)
		return nil
	}
	return ms
}

// refreshPlays shows the new play count after an opening.
func (s *libraryScreen) refreshPlays(id string) {
	r, err := s.ui.db.Recording(id)
	if err != nil {
		return
	}
	for i := range s.entries {
		if s.entries[i].rec.ID == id {
			s.entries[i].rec = r
		}
	}
	s.info.SetText(s.describe(r))
	s.list.Refresh()
}

// leave closes the player and goes back to the practice.
func (s *libraryScreen) leave() {
	s.player.close()
	s.ui.show(newPracticeScreen(s.ui))
}

// leaving closes the player, and its ticker, whichever way the screen is
// left (a lock, the auto-lock).
func (s *libraryScreen) leaving() { s.player.close() }

// askDelete asks for the reason, then deletes the chosen recording.
func (s *libraryScreen) askDelete() {
	e, ok := s.selectedEntry()
	if !ok || e.rec.State == storage.StateDeleted {
		return
	}
	s.ui.touch()
	s.deleteReason = widget.NewSelectEntry(deleteReasons)
	s.deleteReason.SetPlaceHolder("Why is it deleted?")
	s.deleteReason.Validator = func(t string) error {
		if strings.TrimSpace(t) == "" {
			return errors.New("a reason is required")
		}
		return nil
	}
	reason := widget.NewFormItem("Reason", s.deleteReason)
	reason.HintText = "Kept in the client's record and the audit log: no names or clinical details."
	s.deleteDialog = dialog.NewForm("Delete this recording now?", "Delete now", "Cancel",
		[]*widget.FormItem{reason, widget.NewFormItem("", wrapped("Its key is destroyed at once: it can never be played again, by anyone. The session's notes are kept."))},
		func(confirmed bool) {
			if confirmed {
				s.deleteChosen(s.deleteReason.Text)
			}
		}, s.ui.win)
	s.deleteDialog.Resize(fyne.NewSize(480, 260))
	s.deleteDialog.Show()
	s.ui.win.Canvas().Focus(s.deleteReason)
}

// deleteChosen deletes the chosen recording now, for reason.
func (s *libraryScreen) deleteChosen(reason string) {
	e, ok := s.selectedEntry()
	if !ok {
		return
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		s.problem.SetText("Nothing was deleted: please give a reason. It is kept in the client's record.")
		return
	}
	if s.player.openFor == e.rec.ID {
		s.player.close()
	}
	if err := s.ui.db.DeleteNow(e.rec.ID, reason); err != nil {
		s.ui.opt.Logf("deleting %s: %v", e.rec.ID, err)
		s.problem.SetText("The recording could not be deleted. Its deletion date still holds.")
		return
	}
	id := e.rec.ID
	s.reload()
	for i := range s.entries {
		if s.entries[i].rec.ID == id {
			s.list.Select(i)
			s.choose(i) // Select does nothing if i was already selected
		}
	}
	s.problem.SetText("")
}

// recordingOwed reports whether a deletion the client asked for is owed on
// recording id (storage refuses to open it until it is done).
func recordingOwed(db *storage.DB, id string) bool {
	owed, err := db.RecordingOwed(id)
	return err != nil || owed
}
