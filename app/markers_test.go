package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestMarkThisMoment: while recording, the therapist marks two moments
// (the button with a word, then Ctrl+M in the notes); the client screen
// has no such control and the key does nothing there. After the stop the
// library draws both markers on the waveform, lists them, and a click on
// one plays from within 250 ms of it.
func TestMarkThisMoment(t *testing.T) {
	f := newSessionFixture(t)
	f.u.opt.Speaker = pacedSpeaker{}
	k := f.recording(t, time.Second)
	if texts := screenTexts(f.u.win.Content()); strings.Contains(texts, "Mark") {
		t.Errorf("the client screen offers to mark: %q", texts)
	}
	shortcuts, ok := f.u.win.Canvas().(fyne.Shortcutable)
	if !ok {
		t.Fatal("the test canvas takes no shortcuts")
	}
	ss := newSessionScreen(f.u, k.run)
	f.u.show(ss)
	if !ss.marks.box.Visible() {
		t.Fatal("no Mark this moment while recording")
	}
	f.u.show(k)
	shortcuts.TypedShortcut(markKey) // on the client screen: nothing
	f.u.show(ss)

	test.Type(ss.marks.word, "silence")
	test.Tap(ss.marks.button)
	if !strings.HasPrefix(ss.marks.marked.Text, "Marked [0:0") || !strings.HasSuffix(ss.marks.marked.Text, "silence") || ss.marks.word.Text != "" {
		t.Errorf("after marking: %q, word %q", ss.marks.marked.Text, ss.marks.word.Text)
	}
	for k.run.Level().Elapsed < 2500*time.Millisecond {
		time.Sleep(20 * time.Millisecond)
	}
	ss.notes.TypedShortcut(markKey)
	for k.run.Level().Elapsed < 3500*time.Millisecond {
		time.Sleep(20 * time.Millisecond)
	}
	test.Tap(ss.stop)
	settle(f.u)
	if ss.marks.box.Visible() {
		t.Error("Mark this moment is offered when nothing is recorded")
	}
	recs, _ := f.db.Recordings(k.run.ID())
	ms, err := f.db.Markers(recs[0].ID)
	if err != nil || len(ms) != 2 || ms[0].Word != "silence" || ms[1].Word != "" || ms[1].At < 2500*time.Millisecond {
		t.Fatalf("markers %+v, %v", ms, err)
	}
	// The session ends and the client keeps it at the end: until then
	// nobody may play it.
	test.Tap(ss.end)
	end, ok := f.u.screen.(*kioskScreen)
	if !ok {
		t.Fatalf("after End the screen is %T", f.u.screen)
	}
	test.Tap(end.keepIt[end.run.Participants()[0].ID])

	lib := newLibraryScreen(f.u)
	f.u.show(lib)
	lib.list.Select(entryIndex(t, lib, recs[0].ID))
	wave := lib.player.wave
	if len(wave.markers) != 2 {
		t.Fatalf("the waveform shows %d markers", len(wave.markers))
	}
	img := wave.draw(400, 72)
	for _, fr := range wave.markers {
		x := markerX(fr, 400)
		if got := img.At(x, 1); got != markerColour {
			t.Errorf("the waveform at the marker's column %d is %v", x, got)
		}
	}
	// And in the window as rendered: two columns of the marker's colour.
	shot := f.u.win.Canvas().Capture()
	columns := map[int]bool{}
	b := shot.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		run := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if r, g, bl, _ := shot.At(x, y).RGBA(); r>>8 == uint32(markerColour.R) && g>>8 == uint32(markerColour.G) && bl>>8 == uint32(markerColour.B) {
				run++
			}
		}
		if run >= 20 { // a line across the waveform, not a stray pixel
			columns[x] = true
		}
	}
	if len(columns) < 2 {
		t.Errorf("the rendered library shows %d marker columns, want 2", len(columns))
	}
	var links []*widget.Button
	for _, o := range lib.detail.Objects {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, "▲ ") {
			links = append(links, b)
		}
	}
	if len(links) != 2 || links[0].Text != "▲ "+clock(ms[0].At)+"  silence" {
		t.Fatalf("%d marker links, the first %q", len(links), links[0].Text)
	}
	test.Tap(lib.player.play)
	settle(f.u)
	if lib.player.audio == nil {
		t.Fatalf("not playing: %q", lib.problem.Text)
	}
	test.Tap(lib.player.play) // pause
	for i, m := range ms {
		test.Tap(links[i])
		if d := lib.player.audio.Position() - m.At; d < -250*time.Millisecond || d > 250*time.Millisecond {
			t.Errorf("the marker at %v played from %v", m.At, lib.player.audio.Position())
		}
	}
}
