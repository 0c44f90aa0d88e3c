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

	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
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
	var sealed bytes.Buffer
	err = cs.writeCopy(&sealed) // what the save dialog's writer receives
	cs.finished(err)
	if err != nil || cs.done.Text != appText.CopyDoneText {
		t.Fatalf("copy: %v (%q)", err, cs.problem.Text)
	}
	if cs.pass.pass.Text != "" {
		t.Error("the passphrase stays on screen")
	}
	file := filepath.Join(t.TempDir(), "copy.mp3.age")
	if err := os.WriteFile(file, sealed.Bytes(), 0o600); err != nil {
		t.Fatal(err)
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
	rec, err := f.u.clientRecord(client.ID)
	if err != nil {
		t.Fatal(err)
	}
	var shown bool
	for _, fact := range rec.facts(rec.sessions[0]) {
		shown = shown || (fact.label == appText.RecordLabelCopyGiven && strings.HasPrefix(fact.value, "1 time"))
	}
	if !shown {
		t.Errorf("the client's record does not show the copy: %+v", rec.facts(rec.sessions[0]))
	}

	// Anna and Ben: Ben's voice is in it, and he agreed to no copy.
	f.u.show(newPracticeScreen(f.u))
	couple := f.startSession(t, "Anna", "Ben")
	for _, p := range couple.run.Participants() {
		test.Tap(couple.yes[p.ID])
	}
	waitRecorded(t, couple, 500*time.Millisecond)
	test.Tap(f.endAndAnswer(t, couple, consent.EventKeep).done)
	f.unlockPractice(t)
	recs, _ := f.db.Recordings(couple.run.ID())
	if err := giveClientCopy(f.db, f.u.opt.Location, recs[0].ID, pass, 10, io.Discard); !errors.Is(err, session.ErrCopyNotAgreed) {
		t.Errorf("a copy with Ben's voice: %v", err)
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
	ss := newSessionScreen(f.u, again.run)
	f.u.show(ss)
	test.Tap(ss.end)
	end := f.u.screen.(*kioskScreen)
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
	if err := giveClientCopy(f.db, f.u.opt.Location, recs[0].ID, pass, 10, io.Discard); err != nil {
		t.Errorf("a copy Ben agreed to: %v", err)
	}
}
