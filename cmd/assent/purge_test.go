package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

func TestCLIPurge(t *testing.T) {
	p := newPractice(t)

	t.Run("dry run changes nothing", func(t *testing.T) {
		r := cli(t, nil, "", "purge", "--dry-run", "--data", p.dir)
		r.expect(t, exitOK, p.due, "1 recording due for deletion.", "Dry run: nothing was changed.",
			p.session.StartedAt.UTC().Format(timeLayout), p.dueOn.UTC().Format(timeLayout))
		for _, id := range p.kept {
			if strings.Contains(r.stdout, id) {
				t.Errorf("dry run lists %s, not due", id)
			}
		}
		if _, err := os.Stat(p.file(p.due)); err != nil {
			t.Errorf("dry run removed the file: %v", err)
		}
		if rec, _ := p.open(t).Recording(p.due); rec.State != storage.StateComplete {
			t.Errorf("dry run: recording is %s", rec.State)
		}
	})

	t.Run("purge deletes what is due", func(t *testing.T) {
		r := cli(t, nil, "", "purge", "--data", p.dir)
		r.expect(t, exitOK, "RECORDING", "SESSION", "DELETION DATE", p.due, "Deleted 1 recording.")
		line := lineWith(r.stdout, p.due)
		for _, want := range []string{p.session.StartedAt.UTC().Format(timeLayout), p.dueOn.UTC().Format(timeLayout)} {
			if !strings.Contains(line, want) {
				t.Errorf("line %q lacks %q", line, want)
			}
		}
		for _, secret := range []string{testClientLabel, testParticipant} {
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("purge printed %q", secret)
			}
		}
		if _, err := os.Stat(p.file(p.due)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("file still there: %v", err)
		}
		db := p.open(t)
		if rec, _ := db.Recording(p.due); rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonDeletionDate {
			t.Errorf("after purge: %+v", rec)
		}
		for _, id := range p.kept {
			if rec, _ := db.Recording(id); rec.State != storage.StateComplete {
				t.Errorf("kept recording %s is %s", id, rec.State)
			}
		}
	})

	t.Run("again: nothing due", func(t *testing.T) {
		cli(t, nil, "", "purge", "--data", p.dir).expect(t, exitOK, "No recording is due for deletion.")
	})

	t.Run("data folder from the environment", func(t *testing.T) {
		cli(t, []string{"ASSENT_DATA=" + p.dir}, "", "purge").expect(t, exitOK, "No recording is due for deletion.")
	})
}

// `assent purge` from the OS scheduler while the app records: the app's
// process holds the database and a recording's file lock; the purge, in
// its own process, deletes what is due and leaves the recording alone.
func TestCLIPurgeWhileTheAppRecords(t *testing.T) {
	p := newPractice(t)
	app := p.open(t)
	if err := app.Unlock(testPassphrase); err != nil {
		t.Fatal(err)
	}
	w, err := app.NewRecording(p.session.ID, 9, time.Now().Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := []byte(strings.Repeat("first half ", 100))
	w.Write(first)

	cli(t, nil, "", "purge", "--data", p.dir).expect(t, exitOK, p.due, "Deleted 1 recording.")
	cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", passFile(t, testPassphrase)).
		expect(t, exitOK, "skipped: recording "+w.ID()+" is being made", "No problems found.")

	second := []byte(strings.Repeat("second half ", 100))
	if _, err := w.Write(second); err != nil {
		t.Fatalf("the app's recording after the purge: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := app.OpenRecording(w.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := io.ReadAll(r); err != nil || string(got) != string(first)+string(second) {
		t.Errorf("the recording made during the purge reads back %d bytes (%v), want %d", len(got), err, len(first)+len(second))
	}
	if rec, _ := app.Recording(p.due); rec.State != storage.StateDeleted {
		t.Errorf("the app sees the purged recording as %s", rec.State)
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// The hourly purge is usually the first to open the folder after damage
// lost a recording's record: it removes the file, as any Open does, and
// says so on stderr, which the journal keeps.
func TestCLIPurgeSaysWhatItRemoved(t *testing.T) {
	p := newPractice(t)
	name := "0123456789abcdef0123456789abcdef.rec"
	if err := os.WriteFile(filepath.Join(p.dir, storage.RecordingsDir, name), make([]byte, 700), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, nil, "", "purge", "--data", p.dir)
	r.expect(t, exitOK, "assent purge: removed recordings/"+name+": the database had no record of it")
	if !strings.Contains(r.stderr, name) {
		t.Errorf("not on stderr:\n%s", r.stderr)
	}
	cli(t, nil, "", "purge", "--data", p.dir).expect(t, exitOK)
}
