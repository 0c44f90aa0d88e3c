package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/storage"
)

func TestStamps(t *testing.T) {
	for _, c := range []struct {
		seg  int
		at   time.Duration
		want string
	}{
		{1, 0, "[0:00] "},
		{1, 12*time.Minute + 34*time.Second + 900*time.Millisecond, "[12:34] "},
		{2, time.Hour + 2*time.Second, "[part 2, 1:00:02] "},
	} {
		got := stampText(c.seg, c.at)
		if got != c.want {
			t.Errorf("stampText(%d, %v) = %q, want %q", c.seg, c.at, got, c.want)
		}
		l := stampedLines(got+"text", false)
		if len(l) != 1 || l[0].segment != c.seg || l[0].at != c.at.Truncate(time.Second) || l[0].text != "text" {
			t.Errorf("%q reads back as %+v", got+"text", l)
		}
	}
	text, col := stampLine("first\n[0:05] second\nthird", 1, "[1:10] ")
	if text != "first\n[1:10] second\nthird" || col != 7 {
		t.Errorf("restamping: %q, column %d", text, col)
	}
	if text, _ := stampLine("", 3, "[0:01] "); text != "[0:01] " {
		t.Errorf("stamping nothing: %q", text)
	}
	for _, notStamped := range []string{"[0:61] x", "[a:00] x", "x [0:01]", "[part , 0:01] x", "[1:60:00] x"} {
		if l := stampedLines(notStamped, false); len(l) != 0 {
			t.Errorf("%q read as stamped: %+v", notStamped, l)
		}
	}
}

// TestStampWhileRecording: Ctrl+T in the notes while recording starts the
// line with the recording time; while not recording it does nothing.
func TestStampWhileRecording(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recording(t, 1500*time.Millisecond)
	ss := newSessionScreen(f.u, k.run)
	f.u.show(ss)
	test.Type(ss.notes, "She laughed")
	ss.notes.TypedShortcut(stampKey)
	l := stampedLines(ss.notes.Text, false)
	if len(l) != 1 || l[0].segment != 1 || l[0].at < time.Second || l[0].text != "She laughed" {
		t.Fatalf("stamped %q", ss.notes.Text)
	}
	if ss.notes.CursorColumn != len(stampText(1, l[0].at)) {
		t.Errorf("the cursor is at column %d", ss.notes.CursorColumn)
	}
	test.Tap(ss.stop)
	before := ss.process.Text
	ss.process.TypedShortcut(stampKey)
	if ss.process.Text != before {
		t.Errorf("stamped while not recording: %q", ss.process.Text)
	}
}

// TestLibraryJumpsToStampedNotes: the library lists the notes stamped with
// a time of the recording chosen (not those of another part) as links, and
// a click plays from there.
func TestLibraryJumpsToStampedNotes(t *testing.T) {
	fc := clocktest.New(time.Now())
	u, db := unlockedClockUI(t, fc)
	u.opt.Speaker = pacedSpeaker{}
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection}, fc.Now().Add(72*time.Hour))
	if err := db.SaveNotes(rec.SessionID, storage.Notes{
		Text:    "Opening.\n[0:02] she laughed\n[part 2, 0:01] in another recording",
		Process: "[0:01] my unease",
	}); err != nil {
		t.Fatal(err)
	}
	s := newLibraryScreen(u)
	u.show(s)
	s.list.Select(entryIndex(t, s, rec.ID))
	var links []*widget.Button
	for _, o := range s.detail.Objects {
		if b, ok := o.(*widget.Button); ok && b.Importance == widget.LowImportance {
			links = append(links, b)
		}
	}
	if len(links) != 2 || links[0].Text != "0:02  she laughed" || links[1].Text != "0:01  my unease  (private process note)" {
		var texts []string
		for _, b := range links {
			texts = append(texts, b.Text)
		}
		t.Fatalf("links %q", texts)
	}
	test.Tap(links[0])
	if !strings.HasPrefix(s.player.position.Text, "0:02 / ") || s.player.slider.Value != 2 {
		t.Errorf("before playing, the link set %q, slider %v", s.player.position.Text, s.player.slider.Value)
	}
	test.Tap(s.player.play)
	settle(u)
	if s.player.audio == nil {
		t.Fatalf("not playing: %q", s.problem.Text)
	}
	test.Tap(s.player.play) // pause
	test.Tap(links[1])
	if got := s.player.audio.Position(); got < 750*time.Millisecond || got > 1250*time.Millisecond {
		t.Errorf("the link to 0:01 moved playback to %v", got)
	}
}
