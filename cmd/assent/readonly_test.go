package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assent-recorder/assent/internal/foldertest"
	"github.com/assent-recorder/assent/storage"
)

// `assent status`, `assent verify` (with the passphrase, right or wrong,
// and without) and `assent purge --dry-run` change nothing in the data
// folder, content or mode: with the app running beside them (its
// committed steps still in the write-ahead log, its index live), after
// a power cut left the log, and with the app closed; each time with an
// owed step and a recording file without a record, which they say the
// next start will finish and remove.
func TestCLIReadOnlyCommandsChangeNothing(t *testing.T) {
	p := newPractice(t)
	app := p.open(t)
	if err := app.Unlock(testPassphrase); err != nil {
		t.Fatal(err)
	}
	s, err := app.CreateSession(mustClient(t, app), storage.Participant{Name: testParticipant, Role: "client"})
	if err != nil {
		t.Fatal(err)
	}
	owed := storage.ConsentEvent{SessionID: s.ID, Seq: 1, Kind: "withdraw", At: time.Now(), Actor: "participant",
		Data: []byte(`{"kind":"withdraw"}`), WithdrawDeleteAll: true}
	if err := app.OweConsentEvent(owed); err != nil {
		t.Fatal(err)
	}
	orphan := "0123456789abcdef0123456789abcdef.rec"
	if err := os.WriteFile(filepath.Join(p.dir, storage.RecordingsDir, orphan), make([]byte, 700), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(p.dir, storage.DBFile+"-wal")); err != nil || fi.Size() == 0 {
		t.Fatalf("the app's log holds nothing (%v): the test would not read through it", err)
	}
	crashed := filepath.Join(t.TempDir(), "crashed")
	foldertest.Copy(t, p.dir, crashed)

	pass, wrong := passFile(t, testPassphrase), passFile(t, "not the passphrase")
	commands := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"status"}, exitOK, []string{"1 owed step will be finished at the next start.",
			"1 recording file without a record will be removed at the next start."}},
		{[]string{"status", "--json"}, exitOK, []string{`"owedSteps": 1`, orphan}},
		{[]string{"verify"}, exitProblems, []string{"problem: file " + orphan + " has no record",
			"1 owed step will be finished at the next start."}},
		{[]string{"verify", "--passphrase-file", pass}, exitProblems, []string{"3 recordings checked chunk by chunk."}},
		{[]string{"verify", "--passphrase-file", wrong}, exitProblems, []string{"problem: wrong passphrase"}},
		{[]string{"purge", "--dry-run"}, exitOK, []string{p.due, "1 recording due for deletion.",
			"1 owed step will be finished at the next start.",
			"1 recording file without a record will be removed at the next start.", "Dry run: nothing was changed."}},
	}
	run := func(t *testing.T, dir string) {
		t.Logf("%d paths hashed before and after each of %d commands", len(foldertest.Snapshot(t, dir)), len(commands))
		for _, c := range commands {
			before := foldertest.Snapshot(t, dir)
			cli(t, nil, "", append(c.args, "--data", dir)...).expect(t, c.code, c.want...)
			foldertest.Unchanged(t, fmt.Sprintf("assent %v", c.args), before, foldertest.Snapshot(t, dir))
		}
	}
	t.Run("beside the app", func(t *testing.T) { run(t, p.dir) })
	t.Run("after a power cut", func(t *testing.T) { run(t, crashed) })
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("the app closed", func(t *testing.T) { run(t, p.dir) })
}

func mustClient(t *testing.T, db *storage.DB) string {
	t.Helper()
	c, err := db.CreateClient("Another label")
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
