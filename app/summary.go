package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// summaryScreen is shown to the client when the session ends: whether it
// was recorded, for how long, when it will be deleted, what they chose, and
// the consent receipt. It is on the client screen's terms (large type,
// nothing of the practice); "Done" locks the practice.
type summaryScreen struct {
	ui    *UI
	run   *session.Session
	tx    *clientText // the client's language
	lines []string
	page  consent.Page
	done  *bigButton
	// problem says what of the end could not be stored, if anything.
	problem *widget.Label
}

// clientFacing: the summary is read by the client, on the kiosk's terms.
func (s *summaryScreen) clientFacing() bool { return true }

// newSummaryScreen shows run's summary; ended is what ending it returned
// (nil, or the Problem the screen then says first).
func newSummaryScreen(u *UI, run *session.Session, ended error) *summaryScreen {
	s := &summaryScreen{ui: u, run: run, tx: clientTextOf(run.Language()), problem: newProblemLabel()}
	if ended != nil {
		s.problem.SetText(s.tx.problemText(ended, u.opt.Location))
	}
	receipt := run.Receipt("")
	receipt.Location = u.opt.Location
	if head, err := u.db.AuditHeadShort(); err == nil {
		receipt.AuditHead = head
	}
	s.page = receipt.Page()
	s.lines = s.summaryLines(receipt)
	s.done = newBigButton(s.tx.SummaryDone, u.Lock)
	s.done.Importance = widget.HighImportance
	return s
}

// summaryLines says in a few sentences what happened to today's session.
func (s *summaryScreen) summaryLines(r consent.Receipt) []string {
	recs, err := s.ui.db.Recordings(s.run.ID())
	if err != nil {
		s.ui.opt.Logf("summary: %v", err)
		return []string{s.tx.SummaryUnreadable}
	}
	var kept, deleted time.Duration
	var deleteOn time.Time
	for _, rec := range recs {
		if rec.State == storage.StateDeleted {
			deleted += rec.Duration
			continue
		}
		kept += rec.Duration
		if deleteOn.IsZero() || rec.DeleteOn.Before(deleteOn) {
			deleteOn = rec.DeleteOn
		}
	}
	loc := s.ui.opt.Location
	switch {
	case len(recs) == 0:
		return []string{s.tx.SummaryNotRecorded}
	case kept == 0:
		return []string{s.tx.summaryAllDeleted(s.tx.duration(deleted.Round(time.Second)))}
	}
	lines := []string{s.tx.summaryRecorded(s.tx.duration((kept + deleted).Round(time.Second)))}
	if deleted > 0 {
		lines = append(lines, s.tx.summaryPartDeleted(s.tx.duration(deleted.Round(time.Second))))
	}
	lines = append(lines, s.tx.summaryDeletedOn(s.tx.longDate(deleteOn, loc)))
	return lines
}

func (s *summaryScreen) content() fyne.CanvasObject {
	parts := []fyne.CanvasObject{heading(s.tx.SummaryHeading), s.problem}
	for _, l := range s.lines {
		parts = append(parts, wrapped(l))
	}
	parts = append(parts, widget.NewSeparator(), heading(s.page.Title))
	for _, p := range s.page.Paragraphs {
		parts = append(parts, wrapped(p))
	}
	page := container.NewBorder(nil, clientColumn(s.done), nil, nil, container.NewVScroll(clientColumn(container.NewVBox(parts...))))
	return inLargeType(s.ui.app, page)
}

func (s *summaryScreen) focus() fyne.Focusable { return s.done }
