package app

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// libraryTick is how often the player's position is shown while a
// recording is open.
const libraryTick = 100 * time.Millisecond

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
// with a player for the one chosen. Playing is allowed only for the
// purposes the client agreed; storage counts and audits every opening.
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
	play     *widget.Button
	slider   *widget.Slider
	position *widget.Label
	wave     *waveform
	export   *widget.Button
	remove   *widget.Button // "Delete now"

	// The open player, if any: it belongs to the recording playerFor.
	player    *audio.Player
	reader    io.ReadSeekCloser
	playerFor string
	opening   bool
	stopTick  chan struct{} // closed to end the ticker goroutine
	pending   time.Duration // a seek made before the player was open
	dragging  bool          // the slider is being moved by hand
	moving    bool          // the slider is being moved by the player

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
	s.play = widget.NewButton("Play", s.togglePlay)
	s.play.Importance = widget.HighImportance
	s.slider = widget.NewSlider(0, 1)
	s.slider.Step = 0.1
	s.slider.OnChanged = s.sliderMoved
	s.slider.OnChangeEnded = s.sliderReleased
	s.position = widget.NewLabel("0:00 / 0:00")
	s.wave = newWaveform()
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
func playRefusal(r storage.Recording, spk audio.Speaker) string {
	switch {
	case r.State == storage.StateDeleted:
		return "This recording was deleted: it can never be played again."
	case r.State == storage.StateRecording:
		return "This recording is still being made, or waits to be recovered at the next unlock; it can be played once it is finished."
	case len(r.Purposes) == 0:
		return "This recording can't be played: the client agreed to no purpose for it, so nobody may listen."
	case spk == nil:
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
	if s.playerFor != e.rec.ID {
		s.closePlayer()
	}
	s.selected = i
	s.problem.SetText("")
	s.heading.SetText(e.title(s.ui.opt.Location))
	s.info.SetText(s.describe(e.rec))
	s.pending = 0

	parts := []fyne.CanvasObject{s.heading, s.info}
	refusal := playRefusal(e.rec, s.ui.opt.Speaker)
	s.refusal.SetText(refusal)
	if refusal != "" {
		parts = append(parts, s.refusal)
	}
	if e.rec.State == storage.StateComplete || e.rec.State == storage.StateRecovered {
		s.wave.setLevels(s.peaks(e.rec))
		s.wave.setPlayed(0)
		s.slider.Max = max(e.rec.Duration.Seconds(), 0.1)
		s.showPosition(0, e.rec.Duration)
		if refusal == "" {
			s.play.Enable()
			s.slider.Enable()
		} else {
			s.play.Disable()
			s.slider.Disable()
		}
		s.play.SetText("Play")
		parts = append(parts, s.wave.raster, s.slider, container.NewBorder(nil, nil, s.play, nil, s.position))
		if s.player != nil {
			s.tick()
		}
	}
	if e.rec.State != storage.StateDeleted {
		if msg := exportRefusal(e.rec.Purposes); msg != "" {
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

// togglePlay opens the chosen recording the first time, then plays and
// pauses it.
func (s *libraryScreen) togglePlay() {
	s.ui.touch()
	if s.player != nil {
		if s.player.Playing() {
			s.player.Pause()
			s.play.SetText("Play")
			return
		}
		if err := s.player.Play(); err != nil {
			s.ui.opt.Logf("playing %s: %v", s.playerFor, err)
			s.problem.SetText("The recording could not be played.")
			return
		}
		s.play.SetText("Pause")
		return
	}
	s.openPlayer()
}

// openPlayer opens the chosen recording (storage counts a play and writes
// an audit row) and starts playing it, in the background: the player reads
// every frame header first.
func (s *libraryScreen) openPlayer() {
	e, ok := s.selectedEntry()
	if !ok || s.opening {
		return
	}
	if msg := playRefusal(e.rec, s.ui.opt.Speaker); msg != "" {
		s.refusal.SetText(msg)
		return
	}
	id, spk := e.rec.ID, s.ui.opt.Speaker
	s.opening = true
	s.play.Disable()
	var (
		rc io.ReadSeekCloser
		p  *audio.Player
	)
	s.ui.background(func() error {
		r, err := s.ui.db.OpenRecording(id)
		if err != nil {
			return err
		}
		pl, err := audio.NewPlayer(r, spk)
		if err != nil {
			r.Close()
			return err
		}
		rc, p = r, pl
		return nil
	}, func(err error) {
		s.opening = false
		s.play.Enable()
		if err != nil {
			s.ui.opt.Logf("opening recording %s: %v", id, err)
			s.problem.SetText(playbackProblem(err))
			return
		}
		if cur, ok := s.selectedEntry(); !ok || cur.rec.ID != id || s.ui.screen != s {
			p.Close()
			rc.Close()
			return
		}
		s.player, s.reader, s.playerFor = p, rc, id
		s.slider.Max = max(p.Duration().Seconds(), 0.1)
		if s.pending > 0 {
			if err := p.Seek(s.pending); err != nil {
				s.ui.opt.Logf("seeking %s: %v", id, err)
			}
		}
		if err := p.Play(); err != nil {
			s.ui.opt.Logf("playing %s: %v", id, err)
		}
		s.play.SetText("Pause")
		s.startTicker()
		s.refreshPlays(id)
	})
}

// playbackProblem is the sentence shown when a recording cannot be opened.
func playbackProblem(err error) string {
	switch {
	case errors.Is(err, storage.ErrDeleted):
		return "This recording has just been deleted (its date came, or it was deleted now)."
	case errors.Is(err, storage.ErrLocked):
		return "The practice is locked. Unlock it to listen."
	case errors.Is(err, storage.ErrTampered), errors.Is(err, storage.ErrTruncated):
		return "This recording is damaged or was altered, so it cannot be played. Run `assent verify` for details."
	case errors.Is(err, audio.ErrFormat):
		return "This recording cannot be played: its audio is not readable."
	}
	return "The recording could not be opened. See the log for details."
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

// startTicker shows the player's position every libraryTick until the
// player is closed. The ticker runs while a player is open, playing or
// paused, so that leaving the screen in any way closes it at the next tick.
func (s *libraryScreen) startTicker() {
	if s.stopTick != nil {
		return
	}
	stop := make(chan struct{})
	s.stopTick = stop
	go func() {
		t := time.NewTicker(libraryTick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.ui.do(s.tick)
			}
		}
	}()
}

// tick shows where the player is; on the UI goroutine.
func (s *libraryScreen) tick() {
	if s.ui.screen != s {
		// The screen was left without Back (a lock, another screen).
		s.closePlayer()
		return
	}
	p := s.player
	if p == nil {
		return
	}
	pos, dur := p.Position(), p.Duration()
	if !s.dragging {
		s.moving = true
		s.slider.SetValue(pos.Seconds())
		s.moving = false
		s.showPosition(pos, dur)
	}
	if !p.Playing() && s.play.Text != "Play" {
		s.play.SetText("Play")
		if err := p.Err(); err != nil {
			s.ui.opt.Logf("playing %s: %v", s.playerFor, err)
			s.problem.SetText(playbackProblem(err))
		}
	}
}

// showPosition writes "1:05 / 12:30" and marks the waveform played so far.
func (s *libraryScreen) showPosition(pos, dur time.Duration) {
	s.position.SetText(clock(pos) + " / " + clock(dur))
	if dur > 0 {
		s.wave.setPlayed(float64(pos) / float64(dur))
	}
}

// sliderMoved follows the slider while it is dragged by hand.
func (s *libraryScreen) sliderMoved(v float64) {
	if s.moving {
		return
	}
	s.dragging = true
	s.showPosition(sliderTime(v), s.duration())
}

// sliderReleased seeks to where the slider was let go.
func (s *libraryScreen) sliderReleased(v float64) {
	s.dragging = false
	s.ui.touch()
	d := sliderTime(v)
	if s.player == nil {
		s.pending = d
		s.showPosition(d, s.duration())
		return
	}
	if err := s.player.Seek(d); err != nil {
		s.ui.opt.Logf("seeking %s: %v", s.playerFor, err)
		s.problem.SetText("Assent could not move to that point of the recording.")
		return
	}
	s.showPosition(s.player.Position(), s.player.Duration())
}

// duration is the open player's length, else the stored one.
func (s *libraryScreen) duration() time.Duration {
	if s.player != nil {
		return s.player.Duration()
	}
	if e, ok := s.selectedEntry(); ok {
		return e.rec.Duration
	}
	return 0
}

func sliderTime(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }

// closePlayer stops playing and releases the player, its reader and the
// ticker. It is safe to call when nothing is open.
func (s *libraryScreen) closePlayer() {
	if s.stopTick != nil {
		close(s.stopTick)
		s.stopTick = nil
	}
	if s.player != nil {
		s.player.Close()
		s.player = nil
	}
	if s.reader != nil {
		s.reader.Close()
		s.reader = nil
	}
	s.playerFor = ""
	if s.play != nil {
		s.play.SetText("Play")
	}
}

// leave closes the player and goes back to the practice.
func (s *libraryScreen) leave() {
	s.closePlayer()
	s.ui.show(newPracticeScreen(s.ui))
}

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
	if s.playerFor == e.rec.ID {
		s.closePlayer()
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

// waveform draws a recording's stored peaks, the part played so far in the
// accent colour. It never decodes audio.
type waveform struct {
	raster *canvas.Raster
	levels []byte
	played float64 // 0–1
}

var (
	waveUnplayed = color.NRGBA{R: 0x90, G: 0x90, B: 0x90, A: 0xff}
	wavePlayed   = color.NRGBA{R: 0x29, G: 0x6f, B: 0xd6, A: 0xff}
)

func newWaveform() *waveform {
	w := &waveform{}
	w.raster = canvas.NewRaster(w.draw)
	w.raster.SetMinSize(fyne.NewSize(320, 72))
	return w
}

func (w *waveform) setLevels(levels []byte) {
	w.levels = slices.Clone(levels)
	w.raster.Refresh()
}

func (w *waveform) setPlayed(f float64) {
	f = min(max(f, 0), 1)
	if f == w.played {
		return
	}
	w.played = f
	w.raster.Refresh()
}

// draw makes the image: one bar per pixel column, as tall as the loudest
// peak that column covers, mirrored about the middle.
func (w *waveform) draw(width, height int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	n := len(w.levels)
	if n == 0 || width <= 0 || height <= 0 {
		return img
	}
	mid := height / 2
	playedTo := int(w.played * float64(width))
	for x := range width {
		lo := x * n / width
		hi := max(lo+1, (x+1)*n/width)
		peak := slices.Max(w.levels[lo:min(hi, n)])
		h := int(float64(peak) / 255 * float64(height-2) / 2)
		c := waveUnplayed
		if x < playedTo {
			c = wavePlayed
		}
		for y := mid - h; y <= mid+h; y++ {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}
