package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// The CLI tests run the real binary, built once per test run, on data
// folders made with the storage API.

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// assentBinary builds ./cmd/assent into a temporary folder, once.
func assentBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "assent-cli-test-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "assent")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the binary with args, in an environment of its own: HOME and
// XDG_CONFIG_HOME in the test's folder, times shown in UTC, and an English
// LANG (TestLocaleCUTF8NoFyneError tries C.UTF-8). env adds or replaces
// variables; stdin, if not empty, is fed to it.
func cli(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(assentBinary(t), args...)
	cmd.Env = append([]string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"PATH=" + os.Getenv("PATH"),
		"TZ=UTC",
		"LANG=en_US.UTF-8",
	}, env...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running assent %v: %v", args, err)
	}
	return result{code, out.String(), errOut.String()}
}

// expect checks the exit code and that each of want appears in stdout or
// stderr (and none of the raw error texts a person must never see).
func (r result) expect(t *testing.T, code int, want ...string) {
	t.Helper()
	both := r.stdout + r.stderr
	if r.code != code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(both, w) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
		}
	}
	for _, raw := range []string{"SQL logic error", "sqlite", "storage:", "Fyne error", "panic"} {
		if strings.Contains(both, raw) {
			t.Errorf("output shows %q\nstdout:\n%s\nstderr:\n%s", raw, r.stdout, r.stderr)
		}
	}
}

const (
	testPassphrase  = "correct horse battery staple"
	testClientLabel = "Ms Confidential Label"
	testParticipant = "Jordan Secretname"
)

// cheapKDF keeps the fixture fast; the binary unlocks with whatever the
// vault stores.
var cheapKDF = storage.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

// practice is a data folder made with the storage API: one client, one
// session, one recording due an hour ago (by the real clock: the binary
// uses it), two due in 30 days.
type practice struct {
	dir      string
	session  storage.Session
	due      string   // the recording due an hour ago
	kept     []string // due in 30 days
	deleteOn time.Time
	dueOn    time.Time
}

func newPractice(t *testing.T) *practice {
	t.Helper()
	p := &practice{dir: filepath.Join(t.TempDir(), "practice")}
	// The fixture's clock is three hours behind, so that a deletion date an
	// hour ago was in the future when the recording was made.
	made := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	db, err := storage.Open(p.dir, storage.Options{KDF: cheapKDF, ChunkSize: 256, Now: func() time.Time { return made }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateVault(testPassphrase); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateClient(testClientLabel)
	if err != nil {
		t.Fatal(err)
	}
	if p.session, err = db.CreateSession(c.ID, storage.Participant{Name: testParticipant, Role: "client"}); err != nil {
		t.Fatal(err)
	}
	p.dueOn = made.Add(2 * time.Hour)
	p.deleteOn = made.Add(30 * 24 * time.Hour)
	p.due = p.record(t, db, 1, p.dueOn)
	p.kept = []string{p.record(t, db, 2, p.deleteOn), p.record(t, db, 3, p.deleteOn)}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *practice) record(t *testing.T, db *storage.DB, segment int, deleteOn time.Time) string {
	t.Helper()
	w, err := db.NewRecording(p.session.ID, segment, deleteOn, []string{"reflection"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte{byte(segment)}, 1000)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.ID()
}

// file is where the recording's file is: recordings/<id>.rec (FORMAT.md).
func (p *practice) file(id string) string {
	return filepath.Join(p.dir, storage.RecordingsDir, id+".rec")
}

// open opens the folder as the app would, closed when the test ends.
func (p *practice) open(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(p.dir, storage.Options{KDF: cheapKDF, ChunkSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// passFile writes the passphrase to a file, as a therapist's script would.
func passFile(t *testing.T, pass string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "passphrase")
	if err := os.WriteFile(f, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// Every subcommand describes itself with --help (and `assent help CMD`),
// on stdout, with exit 0; misuse is exit 2 with one sentence.
func TestCLIHelpAndUsage(t *testing.T) {
	for _, cmd := range []string{"purge", "status", "verify", "schedule"} {
		t.Run(cmd, func(t *testing.T) {
			r := cli(t, nil, "", cmd, "--help")
			r.expect(t, exitOK, "Usage: assent "+cmd, "Exit status:", "-data")
			if r.stderr != "" {
				t.Errorf("--help wrote to stderr: %q", r.stderr)
			}
			cli(t, nil, "", "help", cmd).expect(t, exitOK, "Usage: assent "+cmd)
			cli(t, nil, "", cmd, "--no-such-flag").expect(t, exitUsage, "assent "+cmd+": flag provided but not defined: -no-such-flag", "--help")
		})
	}
	r := cli(t, nil, "", "--help")
	r.expect(t, exitOK, "assent purge", "assent status", "assent verify", "assent schedule", "Exit status")
	cli(t, nil, "", "purge", "now").expect(t, exitUsage, `unexpected argument "now"`)
	cli(t, nil, "", "status", "--data").expect(t, exitUsage, "flag needs an argument: -data")
	cli(t, nil, "", "schedule").expect(t, exitUsage, "install, remove or show")
	cli(t, nil, "", "schedule", "enable").expect(t, exitUsage, `unknown action "enable"`)
	cli(t, nil, "", "schedule", "show", "extra").expect(t, exitUsage, `unexpected argument "extra"`)
}

// A folder that holds no Assent data is reported in one sentence, exit 1,
// and is not created: a mistyped --data must not look like an empty
// practice.
func TestCLINoDataFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	for _, cmd := range []string{"purge", "status", "verify"} {
		cli(t, nil, "", cmd, "--data", missing).expect(t, exitProblems, "assent "+cmd+": there is no Assent data in "+missing)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder was created: %v", err)
	}
	// Not a database at all: one sentence, and the detail only on request.
	junk := t.TempDir()
	os.WriteFile(filepath.Join(junk, storage.DBFile), bytes.Repeat([]byte("not a database "), 1000), 0o600)
	r := cli(t, nil, "", "status", "--data", junk)
	r.expect(t, exitProblems, "the database file is damaged or is not an Assent database.")
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("more than one line: %q", r.stderr)
	}
	if d := cli(t, []string{"ASSENT_DEBUG=1"}, "", "status", "--data", junk); !strings.Contains(d.stderr, "detail:") {
		t.Errorf("ASSENT_DEBUG=1 gave no detail: %q", d.stderr)
	}
}
