package app

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/storage"
)

const goodPassphrase = "willow kettle orbit lantern"

// newTestUI returns a UI over a real database in a temp folder, with a cheap
// key derivation so that tests stay fast.
// testKDF keeps Argon2id cheap in tests; the real costing is measured in
// storage's own tests.
var testKDF = storage.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

// testBusyTimeout is how long the test UIs' storage waits for a write lock
// held elsewhere: zero (the default, 5 s) but for the tests that hold one.
var testBusyTimeout time.Duration

func newTestUI(t *testing.T) (*UI, *storage.DB) {
	t.Helper()
	return newUIWith(t, nil, nil)
}

// newUIWith is newTestUI with a controlled clock (for storage and the UI)
// and time zone; nil means the real clock and time.Local.
func newUIWith(t *testing.T, clock *clocktest.Clock, loc *time.Location) (*UI, *storage.DB) {
	t.Helper()
	return newUIIn(t, t.TempDir(), clock, loc)
}

// newUIIn is newUIWith over the data folder dir, which may hold a practice.
func newUIIn(t *testing.T, dir string, clock *clocktest.Clock, loc *time.Location) (*UI, *storage.DB) {
	t.Helper()
	return newUIOn(t, test.NewTempApp(t), dir, clock, loc)
}

// newUIOn is newUIIn in the app a (Fyne's test app, or one wrapping it).
func newUIOn(t *testing.T, a fyne.App, dir string, clock *clocktest.Clock, loc *time.Location) (*UI, *storage.DB) {
	t.Helper()
	sopt := storage.Options{KDF: testKDF, BusyTimeout: testBusyTimeout}
	opt := Options{DataDir: dir, Location: loc, Logf: t.Logf}
	if clock != nil {
		sopt.Now, opt.Now = clock.Now, clock.Now
	}
	db, err := storage.Open(dir, sopt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := a.NewWindow("Assent")
	t.Cleanup(w.Close)
	u := New(a, w, db, opt)
	q := &uiQueue{}
	u.do = q.add
	testQueues.Store(u, q)
	t.Cleanup(u.stopHousekeeping)
	return u, db
}

func TestFirstRunSetsPassphrase(t *testing.T) {
	u, db := newTestUI(t)
	u.Start()
	s, ok := u.screen.(*setupScreen)
	if !ok {
		t.Fatalf("first screen is %T, want the set-up screen", u.screen)
	}

	t.Run("too short", func(t *testing.T) {
		test.Type(s.newPass.pass, "short")
		test.Type(s.newPass.repeat, "short")
		test.Tap(s.create.button)
		settle(u)
		if !strings.Contains(s.problem.Text, "at least") {
			t.Errorf("problem = %q", s.problem.Text)
		}
		if has, _ := db.HasVault(); has {
			t.Error("a vault was created from a short passphrase")
		}
	})
	t.Run("different", func(t *testing.T) {
		s.newPass.pass.SetText(goodPassphrase)
		s.newPass.repeat.SetText(goodPassphrase + "x")
		test.Tap(s.create.button)
		settle(u)
		if !strings.Contains(s.problem.Text, "different") {
			t.Errorf("problem = %q", s.problem.Text)
		}
		if s.newPass.repeat.Text != "" {
			t.Error("the repeat field was not cleared")
		}
	})
	t.Run("created", func(t *testing.T) {
		s.newPass.repeat.SetText(goodPassphrase)
		test.Tap(s.create.button)
		settle(u)
		r, ok := u.screen.(*recoveryKeyScreen)
		if !ok {
			t.Fatalf("after set-up the screen is %T (problem %q)", u.screen, s.problem.Text)
		}
		if len(r.key) < 20 {
			t.Errorf("recovery key %q looks too short", r.key)
		}
		if !db.Unlocked() {
			t.Error("the practice is not unlocked after set-up")
		}
		if !r.next.Disabled() {
			t.Error("Continue is enabled before the key was confirmed as written down")
		}
		test.Tap(r.written)
		if r.next.Disabled() {
			t.Fatal("Continue stays disabled after ticking the box")
		}
		key := r.key
		test.Tap(r.next)
		if _, ok := u.screen.(*practiceScreen); !ok {
			t.Fatalf("after the recovery key the screen is %T", u.screen)
		}
		// The key printed on screen really opens the practice.
		u.Lock()
		if err := db.UnlockWithRecoveryKey(key, goodPassphrase+" two"); err != nil {
			t.Errorf("the recovery key shown does not unlock: %v", err)
		}
	})
}

func TestUnlock(t *testing.T) {
	u, db := newTestUI(t)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	db.Lock()
	u.Start()
	s, ok := u.screen.(*unlockScreen)
	if !ok {
		t.Fatalf("screen is %T, want the unlock screen", u.screen)
	}

	test.Type(s.pass, "not the passphrase")
	test.Tap(s.unlock.button)
	settle(u)
	if db.Unlocked() {
		t.Fatal("a wrong passphrase unlocked the practice")
	}
	if !strings.Contains(s.problem.Text, "not right") {
		t.Errorf("problem = %q", s.problem.Text)
	}
	if s.pass.Text != "" {
		t.Error("the wrong passphrase was left in the field")
	}

	test.Type(s.pass, goodPassphrase)
	s.pass.TypedKey(&fyneKeyEvent)
	settle(u)
	if _, ok := u.screen.(*practiceScreen); !ok {
		t.Fatalf("after the right passphrase the screen is %T (problem %q)", u.screen, s.problem.Text)
	}

	u.Lock()
	if db.Unlocked() {
		t.Error("Lock left the keys in memory")
	}
	if _, ok := u.screen.(*unlockScreen); !ok {
		t.Errorf("after Lock the screen is %T", u.screen)
	}
}

// A recording file whose record the database lost (see
// storage.AuditOrphanRemoved) is removed when the folder is opened; the
// therapist is told after the first unlock, not after every one.
func TestUnlockTellsOfFilesWithoutARecord(t *testing.T) {
	dir, db := vaultFolder(t)
	db.Close()
	orphan := filepath.Join(dir, storage.RecordingsDir, "0123456789abcdef0123456789abcdef.rec")
	if err := os.WriteFile(orphan, make([]byte, 500), 0o600); err != nil {
		t.Fatal(err)
	}

	u, _ := newUIIn(t, dir, nil, nil)
	u.Start()
	p := unlockToPractice(t, u)
	if !strings.Contains(p.notice.Text, "1 recording file had no record in the database") {
		t.Errorf("notice after the first unlock: %q", p.notice.Text)
	}
	if _, err := os.Stat(orphan); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the file without a record: %v", err)
	}
	u.Lock()
	if p := unlockToPractice(t, u); p.notice.Text != "" {
		t.Errorf("notice after the second unlock: %q", p.notice.Text)
	}

	// The hourly `assent purge` usually opens the folder first: its Open
	// removes the file, and the app, started later, still says so.
	second := filepath.Join(dir, storage.RecordingsDir, "fedcba9876543210fedcba9876543210.rec")
	if err := os.WriteFile(second, make([]byte, 500), 0o600); err != nil {
		t.Fatal(err)
	}
	purge, err := storage.Open(dir, storage.Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	if got := purge.RemovedOrphans(); len(got) != 1 {
		t.Fatalf("the purge's Open removed %v", got)
	}
	purge.Close()
	u2, _ := newUIIn(t, dir, nil, nil)
	u2.Start()
	if p := unlockToPractice(t, u2); !strings.Contains(p.notice.Text, "1 recording file had no record in the database") {
		t.Errorf("notice after a purge removed one: %q", p.notice.Text)
	}
}

func TestRecoverWithKey(t *testing.T) {
	u, db := newTestUI(t)
	key, err := db.CreateVault(goodPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	db.Lock()
	u.Start()
	test.Tap(findButton(t, u, "Forgot the passphrase? Use the recovery key"))
	r, ok := u.screen.(*recoverScreen)
	if !ok {
		t.Fatalf("screen is %T, want the recovery screen", u.screen)
	}
	const newPass = "meadow copper violin harbour"
	r.key.SetText("AAAA-BBBB-CCCC")
	r.newPass.pass.SetText(newPass)
	r.newPass.repeat.SetText(newPass)
	test.Tap(r.confirm.button)
	settle(u)
	if db.Unlocked() {
		t.Fatal("a wrong recovery key unlocked the practice")
	}
	if r.problem.Text == "" {
		t.Error("no message for a wrong recovery key")
	}
	r.key.SetText(key)
	test.Tap(r.confirm.button)
	settle(u)
	if _, ok := u.screen.(*practiceScreen); !ok {
		t.Fatalf("after recovery the screen is %T (problem %q)", u.screen, r.problem.Text)
	}
	db.Lock()
	if err := db.Unlock(newPass); err != nil {
		t.Errorf("the new passphrase does not unlock: %v", err)
	}
}

func TestPassphraseStrength(t *testing.T) {
	for _, c := range []struct {
		p    string
		want strength
	}{
		{"", strengthTooShort},
		{"abcdefghi", strengthTooShort},
		{"aaaaaaaaaaaaaaaa", strengthWeak},
		{"password12", strengthWeak},
		{"Tr0ub4dor&3x", strengthFair},
		{"willow kettle orbit lantern", strengthStrong},
	} {
		if got := passphraseStrength(c.p); got != c.want {
			t.Errorf("passphraseStrength(%q) = %v (%.0f bits), want %v", c.p, got, passphraseBits(c.p), c.want)
		}
	}
}

// Closing Assent while the passphrase is being checked: the check may
// finish after Quit, but the key does not stay in memory and the practice
// is not shown on the closing window.
func TestQuitDuringUnlock(t *testing.T) {
	u, db := newTestUI(t)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	db.Lock()
	u.Start()
	s := u.screen.(*unlockScreen)
	test.Type(s.pass, goodPassphrase)
	test.Tap(s.unlock.button) // the check runs in the background
	u.Quit()
	settle(u) // the check's answer, if it came, is dropped
	if db.Unlocked() {
		t.Error("the key is in memory after Quit")
	}
	if _, ok := u.screen.(*practiceScreen); ok {
		t.Error("the practice was shown on the closing window")
	}
	u.Shutdown() // as cmd does after the loop: nothing more happens
}

// Files without a record beside a database that fails its own check are
// left, and the therapist is told to keep the folder and get help.
func TestUnlockTellsOfFilesLeftBesideADamagedDatabase(t *testing.T) {
	dir, db := vaultFolder(t)
	for i := range 400 { // audit pages to damage, away from what the app reads
		db.Audit("test.filler", strings.Repeat("x", 200)+strconv.Itoa(i))
	}
	db.Close()
	path := filepath.Join(dir, storage.DBFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	last := len(b)/4096 - 2
	for i := last*4096 + 8; i < last*4096+2048; i++ {
		b[i] = 0xA5
	}
	os.WriteFile(path, b, 0o600)
	orphan := filepath.Join(dir, storage.RecordingsDir, "0123456789abcdef0123456789abcdef.rec")
	os.WriteFile(orphan, make([]byte, 500), 0o600)

	u, _ := newUIIn(t, dir, nil, nil)
	u.Start()
	p := unlockToPractice(t, u)
	if !strings.Contains(p.notice.Text, "the database fails its own check, so they were left as they are") {
		t.Errorf("notice %q", p.notice.Text)
	}
	if _, err := os.Stat(orphan); err != nil {
		t.Errorf("the file was not left: %v", err)
	}
}

// vaultFolder makes a data folder with the passphrase set and returns
// it with its open DB (unlocked), for tests that prepare it before a UI.
func vaultFolder(t *testing.T) (string, *storage.DB) {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(dir, storage.Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	return dir, db
}

// TestOpenProblemUnsafeFolder: a data folder that is not private to the
// user is refused with a sentence naming what is wrong.
func TestOpenProblemUnsafeFolder(t *testing.T) {
	w := test.NewTempApp(t).NewWindow("Assent")
	err := fmt.Errorf("storage: open: %w", &storage.UnsafeError{Path: "/tmp/x/assent.db", Problem: "belongs to another user"})
	if !errors.Is(err, storage.ErrUnsafeFolder) {
		t.Fatalf("UnsafeError does not match ErrUnsafeFolder: %v", err)
	}
	ShowOpenProblem(w, "/tmp/x", err)
	if got := strings.Join(visibleTexts(w), " "); !strings.Contains(got, "is not private to you: /tmp/x/assent.db belongs to another user") {
		t.Errorf("the screen says %q", got)
	}
}

// TestRecoveryKeyPDF: the page to print holds the key, the date, what it
// opens and where to keep it, as text a PDF reader finds.
func TestRecoveryKeyPDF(t *testing.T) {
	const key = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789"
	var b bytes.Buffer
	made := time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)
	if err := writeRecoveryKeyPDF(&b, key, made, time.UTC, "/home/x/.local/share/assent"); err != nil {
		t.Fatal(err)
	}
	text := recordPDFText(t, b.Bytes())
	for _, want := range []string{key, "Wednesday 2 December 2026 at 10:30", "/home/x/.local/share/assent", "Forgot the passphrase", "delete this file"} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
			t.Errorf("the page lacks %q:\n%s", want, text)
		}
	}
}
