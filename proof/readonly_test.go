package proof_test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// envReadOnly names the prepared folder when TestDatabaseReadOnly runs
// itself again as an unprivileged user.
const envReadOnly = "ASSENT_READONLY_DIR"

// nobody is the unprivileged user the trial runs as when the tests run as
// root (in a container, in CI), for whom chmod would change nothing.
const nobody = 65534

// TestDatabaseReadOnly: the data folder becomes read-only (a backup tool's
// permissions, a remount). Opening it must give a clear error or a
// database that reads and refuses writes with errors; never a panic. With
// the permissions back, everything is as it was.
//
// Permission bits do not bind root. Run as root, the trial prepares the
// folder, hands it to user nobody and runs itself again as nobody; if that
// cannot be done it is skipped, saying why.
func TestDatabaseReadOnly(t *testing.T) {
	dir := os.Getenv(envReadOnly)
	switch {
	case dir != "":
		// The unprivileged run: the folder is prepared.
	case os.Geteuid() == 0:
		runAsNobody(t)
		return
	default:
		dir = readOnlyFolder(t, t.TempDir())
	}
	readOnlyTrial(t, dir)
}

// readOnlyFolder makes a data folder holding one complete recording and
// returns it (closed).
func readOnlyFolder(t *testing.T, parent string) string {
	t.Helper()
	dir := filepath.Join(parent, "data")
	_, pcm := speechPCM(t)
	clientID := newFolderIn(t, dir)
	db := openUnlocked(t, dir)
	defer db.Close() // before the folder is made read-only
	recordWhole(t, db, clientID, fastMic(pcm, 1))
	return dir
}

func readOnlyTrial(t *testing.T, dir string) {
	recDir := filepath.Join(dir, storage.RecordingsDir)
	var ids []string
	entries, _ := os.ReadDir(recDir)
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".rec"); ok { // not CACHEDIR.TAG
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("prepared folder has %d recordings, want 1", len(ids))
	}
	files, _ := filepath.Glob(filepath.Join(dir, storage.DBFile+"*"))
	for _, f := range files {
		if err := os.Chmod(f, 0o400); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{recDir, dir} {
		if err := os.Chmod(d, 0o500); err != nil {
			t.Fatal(err)
		}
	}
	restore := func() {
		for _, d := range []string{dir, recDir} {
			os.Chmod(d, 0o700)
		}
		for _, f := range files {
			os.Chmod(f, 0o600)
		}
	}
	defer restore()
	if f, err := os.OpenFile(filepath.Join(dir, "probe"), os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		f.Close()
		t.Skip("the folder is still writable after chmod 0500: permissions do not bind this user")
	}

	db, err := storage.Open(dir, storageOptions())
	if err != nil {
		if !strings.HasPrefix(err.Error(), "storage: ") {
			t.Errorf("Open = %q; want an error that says where it comes from", err)
		}
		if !errors.Is(err, storage.ErrReadOnly) {
			t.Errorf("Open = %v; want storage.ErrReadOnly, so the app can say why in a sentence", err)
		}
		t.Logf("read-only folder refused at Open: %v", err)
	} else {
		func() {
			defer db.Close()
			if _, err := db.Clients(); err != nil {
				t.Logf("reading: %v", err)
			}
			err := db.Unlock(passphrase)
			t.Logf("Unlock on a read-only folder: %v", err)
			if _, err := db.CreateClient("client B"); err == nil {
				t.Errorf("a client was created in a read-only database")
			} else {
				t.Logf("write refused: %v", err)
			}
			if err == nil {
				if r, err := db.OpenRecording(ids[0]); err == nil {
					n, err := io.Copy(io.Discard, r)
					r.Close()
					t.Logf("playback on a read-only folder: %d bytes, %v", n, err)
				} else {
					t.Logf("playback on a read-only folder: %v", err)
				}
			}
		}()
	}

	restore()
	db = openUnlocked(t, dir)
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain after the read-only spell: %v", err)
	}
	if err := db.VerifyRecording(ids[0]); err != nil {
		t.Errorf("the recording after the read-only spell: %v", err)
	}
}

// runAsNobody prepares the folder as root, gives it to nobody and runs
// TestDatabaseReadOnly again as nobody, from a copy of the test binary
// nobody can execute.
func runAsNobody(t *testing.T) {
	base, err := os.MkdirTemp("", "assent-proof-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	dir := readOnlyFolder(t, base)
	bin := filepath.Join(base, "proof.test")
	if err := copyFile(os.Args[0], bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	err = filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, nobody, nobody)
	})
	if err != nil {
		t.Skipf("running as root, and the folder cannot be given to nobody (%v): chmod would not bind root, so the read-only case is not tried", err)
	}
	cmd := exec.Command(bin, "-test.run=^TestDatabaseReadOnly$", "-test.v", "-test.count=1")
	cmd.Dir = base
	cmd.Env = []string{envReadOnly + "=" + dir, "PATH=" + os.Getenv("PATH"), "TMPDIR=" + base, "HOME=" + base, "LANG=C.UTF-8"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if strings.Contains(string(out), "--- SKIP") || (err != nil && !strings.Contains(string(out), "--- FAIL")) {
		t.Skipf("running as root; the unprivileged run could not be made (%v):\n%s", err, out)
	}
	t.Logf("run again as uid %d:\n%s", nobody, indent(string(out)))
	if err != nil {
		t.Errorf("the read-only trial failed as uid %d", nobody)
	}
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n\t")
}
