package app

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/assent-recorder/assent/storage"
)

// Timestamped notes: while a session records, Ctrl+T (⌘T) in the typed
// notes starts the line with the recording time it is written at, as
// "[12:34]" (the first recording of the session) or "[part 2, 12:34]" (a
// later one, after a pause or a stop). The library lists the lines of a
// recording's time beside its player, and a click plays from there.

// stampKey puts the recording time at the start of the line in the notes.
var stampKey = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault}

// stampPattern reads a stamp at the start of a line: the part (absent for
// the first) and the time, m:ss or h:mm:ss.
var stampPattern = regexp.MustCompile(`^\[(?:part (\d+), )?(?:(\d+):)?(\d{1,2}):(\d{2})\] ?`)

// stampText is the stamp for time at of recording segment (1 for the
// session's first).
func stampText(segment int, at time.Duration) string {
	if segment > 1 {
		return fmt.Sprintf("[part %d, %s] ", segment, clock(at))
	}
	return "[" + clock(at) + "] "
}

// stampLine starts line row of text with stamp, replacing a stamp it
// already has, and returns the new text and the column just after the
// stamp. A row past the end stamps the last line.
func stampLine(text string, row int, stamp string) (string, int) {
	lines := strings.Split(text, "\n")
	row = max(0, min(row, len(lines)-1))
	line := lines[row]
	if loc := stampPattern.FindStringIndex(line); loc != nil {
		line = line[loc[1]:]
	}
	lines[row] = stamp + line
	return strings.Join(lines, "\n"), len([]rune(stamp))
}

// stampedLine is a line of notes that carries a recording time.
type stampedLine struct {
	segment int
	at      time.Duration
	text    string // the line after its stamp
	process bool   // from the process notes
}

// stampedLines are the lines of text that start with a stamp, in order.
func stampedLines(text string, process bool) []stampedLine {
	var out []stampedLine
	for _, line := range strings.Split(text, "\n") {
		m := stampPattern.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seg := 1
		if m[1] != "" {
			seg, _ = strconv.Atoi(m[1])
		}
		h, _ := strconv.Atoi(m[2])
		min, _ := strconv.Atoi(m[3])
		sec, _ := strconv.Atoi(m[4])
		if sec > 59 || (m[2] != "" && min > 59) {
			continue
		}
		at := time.Duration(h)*time.Hour + time.Duration(min)*time.Minute + time.Duration(sec)*time.Second
		out = append(out, stampedLine{segment: seg, at: at, text: strings.TrimSpace(line[len(m[0]):]), process: process})
	}
	return out
}

// noteLinks are the lines of the session's notes stamped with a time of
// recording r, each a button that plays from that time (enabled when r
// may be played), under a heading; none when there are none.
func (s *libraryScreen) noteLinks(r storage.Recording, playable bool) []fyne.CanvasObject {
	n, err := s.ui.db.Notes(r.SessionID)
	if err != nil {
		s.ui.opt.Logf("reading the notes of %s: %v", r.SessionID, err)
		return nil
	}
	var out []fyne.CanvasObject
	for _, l := range append(stampedLines(n.Text, false), stampedLines(n.Process, true)...) {
		if l.segment != r.Segment || l.at > r.Duration {
			continue
		}
		label := clock(l.at) + "  " + l.text
		if l.process {
			label += "  (private process note)"
		}
		out = append(out, s.seekLink(label, l.at, playable))
	}
	if len(out) == 0 {
		return nil
	}
	return append([]fyne.CanvasObject{boldWrapped("Notes written during this recording")}, out...)
}
