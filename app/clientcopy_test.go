package app

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/removable"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// ageDecryptWithPassphrase runs the age CLI on file with passphrase typed
// at its prompt. age reads a passphrase only from a terminal, so the
// util-linux `script` gives it one.
func ageDecryptWithPassphrase(t *testing.T, file, passphrase string) ([]byte, error) {
	t.Helper()
	for _, tool := range []string{"age", "script"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to check the client's copy as the client opens it: %v", tool, err)
		}
	}
	out := file + ".out"
	cmd := exec.Command("script", "-qec", "age -d -o "+out+" "+file, "/dev/null")
	cmd.Stdin = strings.NewReader(passphrase + "\n")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, errors.New(strings.TrimSpace(string(b)) + ": " + err.Error())
	}
	return os.ReadFile(out)
}

// TestClientCopy: from the client's record, a recording that holds only
// the client's voice is given to them, encrypted with a passphrase they
// type on the client screen; it opens with the age tool and nothing else;
// the record shows it was given. A recording with another voice is
// refused.
func TestClientCopy(t *testing.T) {
	f := newSessionFixture(t)
	cs, rs, client := clientCopyOfAnna(t, f)
	cs.workFactor = 10 // scrypt's default takes seconds; the file format is the same
	test.Type(cs.pass.pass, "short")
	test.Type(cs.pass.repeat, "short")
	test.Tap(cs.make)
	if cs.problem.Text != appText.CopyTooShortText {
		t.Errorf("a short passphrase: %q", cs.problem.Text)
	}
	const pass = "blue kettle on the hill"
	cs.pass.pass.SetText(pass)
	cs.pass.repeat.SetText(pass)
	file := filepath.Join(t.TempDir(), "copy.mp3.age")
	cs.saveCopyTo(fileWriter(t, file)) // what the save dialog gives
	if cs.done.Text != appText.CopyDoneText {
		t.Fatalf("copy: %q", cs.problem.Text)
	}
	if cs.pass.pass.Text != "" {
		t.Error("the passphrase stays on screen")
	}
	got, err := ageDecryptWithPassphrase(t, file, pass)
	if err != nil {
		t.Fatalf("age -d with the client's passphrase: %v", err)
	}
	r, err := f.db.OpenRecording(rs.copyable[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(r)
	r.Close()
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Fatalf("age gave %d bytes, the recording is %d", len(got), len(want))
	}
	if _, err := ageDecryptWithPassphrase(t, file, "not the passphrase"); err == nil {
		t.Error("the copy opened with another passphrase")
	}
	copyShownOnce(t, f, client)

	// Anna and Ben: Ben's voice is in it, and he agreed to no copy.
	couple, recs := annaAndBen(t, f)
	if err := giveClientCopy(f.db, f.u.opt.Location, recs[0].ID, pass, 10, discardCloser{}); !errors.Is(err, session.ErrCopyNotAgreed) {
		t.Errorf("a copy with Ben's voice: %v", err)
	}
	// Through the screen, as the save dialog gives it: the refused copy
	// leaves no file where the client chose to save it, and says so.
	refused := filepath.Join(t.TempDir(), "refused.mp3.age")
	cs.rec = recs[0]
	cs.pass.pass.SetText(pass)
	cs.pass.repeat.SetText(pass)
	cs.saveCopyTo(fileWriter(t, refused))
	if _, err := os.Stat(refused); !errors.Is(err, os.ErrNotExist) || cs.problem.Text == "" {
		t.Errorf("a refused copy left %s (%v), the screen says %q", refused, err, cs.problem.Text)
	}
	rs, _ = newClientRecordScreen(f.u, client, false)
	if len(rs.copyable) != 1 || rs.copyable[0].SessionID == couple.run.ID() {
		t.Errorf("copies offered: %+v", rs.copyable)
	}

	// Again, and this time Ben ticks "The client may have a copy of it"
	// as he says keep at the end.
	f.u.show(newPracticeScreen(f.u))
	again := f.startSession(t, "Anna", "Ben")
	for _, p := range again.run.Participants() {
		test.Tap(again.yes[p.ID])
	}
	waitRecorded(t, again, 500*time.Millisecond)
	end := f.endToQuestion(t, again)
	anna, ben := again.run.Participants()[0], again.run.Participants()[1]
	if end.copyOK[anna.ID] != nil || end.copyOK[ben.ID] == nil || end.copyOK[ben.ID].Checked {
		t.Fatal("the choice of a copy is not Ben's alone, unticked")
	}
	test.Tap(end.copyOK[ben.ID])
	test.Tap(end.keepIt[anna.ID])
	test.Tap(end.keepIt[ben.ID])
	if _, ok := f.u.screen.(*summaryScreen); !ok {
		t.Fatalf("after both kept: %T", f.u.screen)
	}
	recs, _ = f.db.Recordings(again.run.ID())
	if err := giveClientCopy(f.db, f.u.opt.Location, recs[0].ID, pass, 10, discardCloser{}); err != nil {
		t.Errorf("a copy Ben agreed to: %v", err)
	}
}

// TestClientCopyPlainMP3: the client may instead take a plain MP3 on their
// own USB drive. A USB stick cannot be plugged into the machine the tests
// run on, so the screen's detector is replaced by one that calls one temp
// folder "the drive" (internal/removable's own tests check the real
// detection over a sysfs tree); the real detector, kept by default,
// refuses a temp folder on this machine's disk. The MP3 is the
// recording, decodes to its length, is the owner's alone, is audited
// and shows in the client's record. Refused where another voice did not
// agree, and where the computer cannot tell.
func TestClientCopyPlainMP3(t *testing.T) {
	f := newSessionFixture(t)
	cs, _, client := clientCopyOfAnna(t, f)
	if !cs.plain.Visible() || cs.plain.Text != cs.tx.CopyPlainText {
		t.Fatal("no plain MP3 offered on the client's copy screen")
	}
	rec := cs.rec
	empty := func(dir string) {
		t.Helper()
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("written to %s: %v", dir, ents)
		}
	}

	// The laptop's own disk, with the real detector.
	laptop := t.TempDir()
	cs.savePlain(laptop)
	if cs.problem.Text != cs.tx.CopyNotRemovableText || cs.done.Text != "" {
		t.Errorf("a folder on the laptop's disk: problem %q, done %q", cs.problem.Text, cs.done.Text)
	}
	empty(laptop)

	// A system where the detector cannot tell.
	cs.isRemovable = func(string) error { return removable.ErrCannotTell }
	cs.savePlain(laptop)
	if cs.problem.Text != cs.tx.CopyCannotTellText {
		t.Errorf("cannot tell: %q", cs.problem.Text)
	}
	empty(laptop)
	if n := len(auditsOf(t, f.db, rec.ID, storage.AuditClientCopyGiven)); n != 0 {
		t.Fatalf("%d copies audited before any was given", n)
	}

	// A drive the file cannot be made on (pulled out, say): refused
	// without counting a play, and nothing audited.
	before, _ := f.db.Recording(rec.ID)
	cs.isRemovable = func(string) error { return nil }
	cs.savePlain(filepath.Join(laptop, "gone"))
	if after, _ := f.db.Recording(rec.ID); cs.problem.Text == "" || after.Plays != before.Plays {
		t.Errorf("a drive that takes no file: problem %q, plays %d then %d", cs.problem.Text, before.Plays, after.Plays)
	}
	if n := len(auditsOf(t, f.db, rec.ID, storage.AuditClientCopyGiven)); n != 0 {
		t.Fatalf("%d copies audited before any was given", n)
	}

	// The client's drive.
	drive := t.TempDir()
	cs.isRemovable = func(dir string) error {
		if dir == drive {
			return nil
		}
		return removable.ErrNotRemovable
	}
	cs.savePlain(drive)
	if cs.problem.Text != "" || cs.done.Text != cs.tx.CopyPlainDoneText {
		t.Fatalf("the plain MP3: problem %q, done %q", cs.problem.Text, cs.done.Text)
	}
	files, _ := filepath.Glob(filepath.Join(drive, "*.mp3"))
	if len(files) != 1 {
		t.Fatalf("files on the drive: %v", files)
	}
	info, err := os.Stat(files[0])
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the MP3's permissions: %v %v", info.Mode(), err)
	}
	got, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if d := decodedLength(t, got); d < rec.Duration-200*time.Millisecond || d > rec.Duration+200*time.Millisecond {
		t.Errorf("the MP3 decodes to %v, the recording is %v", d, rec.Duration)
	}
	r, err := f.db.OpenRecording(rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, want) {
		t.Errorf("the MP3 has %d bytes, the recording %d", len(got), len(want))
	}
	if audits := auditsOf(t, f.db, rec.ID, storage.AuditClientCopyGiven); len(audits) != 1 || audits[0].Detail != plainCopyDetail {
		t.Errorf("audited: %+v", audits)
	}
	copyShownOnce(t, f, client)
	// A second copy does not overwrite the first.
	cs.savePlain(drive)
	if files, _ := filepath.Glob(filepath.Join(drive, "*.mp3")); len(files) != 2 {
		t.Errorf("after a second copy: %v", files)
	}

	// Anna and Ben, and Ben did not agree to the client having a copy.
	_, recs := annaAndBen(t, f)
	other := t.TempDir()
	anyFolder := func(string) error { return nil }
	if _, err := giveClientMP3(f.db, f.u.opt.Location, recs[0].ID, other, anyFolder); !errors.Is(err, session.ErrCopyNotAgreed) {
		t.Errorf("a plain MP3 with Ben's voice: %v", err)
	}
	empty(other)
	ben := newClientCopyScreen(f.u, client, recs[0])
	ben.isRemovable = anyFolder
	ben.savePlain(other)
	if ben.problem.Text != ben.tx.CopyRefusedText {
		t.Errorf("refused on screen with: %q", ben.problem.Text)
	}
	empty(other)
}

// clientCopyOfAnna records a second of Anna alone, kept, and opens the
// copy screen from her record, as the therapist does.
func clientCopyOfAnna(t *testing.T, f *sessionFixture) (*clientCopyScreen, *clientRecordScreen, storage.Client) {
	t.Helper()
	k := f.recording(t, time.Second)
	test.Tap(f.endAndAnswer(t, k, consent.EventKeep).done)
	f.unlockPractice(t)
	client := k.run.Client()
	rs, err := newClientRecordScreen(f.u, client, false)
	if err != nil {
		t.Fatal(err)
	}
	f.u.show(rs)
	if !rs.giveCopy.Visible() || len(rs.copyable) != 1 {
		t.Fatalf("no copy offered for a recording of the client alone (%d)", len(rs.copyable))
	}
	test.Tap(rs.giveCopy)
	cs, ok := f.u.screen.(*clientCopyScreen)
	if !ok || !cs.clientFacing() {
		t.Fatalf("the copy is not made on the client screen: %T", f.u.screen)
	}
	return cs, rs, client
}

// annaAndBen records Anna and Ben, both saying yes, kept at the end
// without Ben agreeing to Anna having a copy.
func annaAndBen(t *testing.T, f *sessionFixture) (*kioskScreen, []storage.Recording) {
	t.Helper()
	f.u.show(newPracticeScreen(f.u))
	couple := f.startSession(t, "Anna", "Ben")
	for _, p := range couple.run.Participants() {
		test.Tap(couple.yes[p.ID])
	}
	waitRecorded(t, couple, 500*time.Millisecond)
	test.Tap(f.endAndAnswer(t, couple, consent.EventKeep).done)
	f.unlockPractice(t)
	recs, err := f.db.Recordings(couple.run.ID())
	if err != nil || len(recs) == 0 {
		t.Fatalf("Anna and Ben's recordings: %v %v", recs, err)
	}
	return couple, recs
}

// copyShownOnce fails unless the client's record shows one copy given of
// its first session.
func copyShownOnce(t *testing.T, f *sessionFixture, client storage.Client) {
	t.Helper()
	rec, err := f.u.clientRecord(client.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, fact := range rec.facts(rec.sessions[0]) {
		if fact.label == appText.RecordLabelCopyGiven && strings.HasPrefix(fact.value, "1 time") {
			return
		}
	}
	t.Errorf("the client's record does not show the copy: %+v", rec.facts(rec.sessions[0]))
}

// fileWriter is what Fyne's save dialog hands over for a file at path.
func fileWriter(t *testing.T, path string) fyne.URIWriteCloser {
	t.Helper()
	w, err := fynestorage.Writer(fynestorage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// nopCloser is w, with a Close that does nothing.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// discardCloser is a writer to nowhere that can be closed.
type discardCloser struct{}

func (discardCloser) Write(p []byte) (int, error) { return len(p), nil }
func (discardCloser) Close() error                { return nil }

// failingWriter is a file from a save dialog whose writes fail, as on a
// full or pulled-out drive.
type failingWriter struct{ fyne.URIWriteCloser }

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on the drive") }

// TestSaveTo: what the recovery key, the client's record and a
// handwritten page are saved with. Saved whole: audited once, said saved.
// A write that fails: the file is removed, nothing audited, the error
// said.
func TestSaveTo(t *testing.T) {
	u, _ := newTestUI(t)
	data := []byte("%PDF-1.3 a page")
	var audits int
	audit := func() error { audits++; return nil }
	var got error
	done := func(err error) { got = err }

	path := filepath.Join(t.TempDir(), "page.pdf")
	u.saveTo(fileWriter(t, path), data, audit, done)
	if b, err := os.ReadFile(path); got != nil || err != nil || !bytes.Equal(b, data) || audits != 1 {
		t.Errorf("saved: done(%v), file %q (%v), %d audits", got, b, err, audits)
	}

	failed := filepath.Join(t.TempDir(), "page.pdf")
	u.saveTo(failingWriter{fileWriter(t, failed)}, data, audit, done)
	if _, err := os.Stat(failed); got == nil || !errors.Is(err, os.ErrNotExist) || audits != 1 {
		t.Errorf("a failed write: done(%v), the file %v, %d audits", got, err, audits)
	}
}
