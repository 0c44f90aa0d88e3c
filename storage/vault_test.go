package storage_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

func TestCreateVault(t *testing.T) {
	dir, c := t.TempDir(), newClock()
	db := openDB(t, dir, c)
	if ok, err := db.HasVault(); err != nil || ok {
		t.Fatalf("HasVault on a new folder = %v, %v", ok, err)
	}
	if err := db.Unlock(testPass); !errors.Is(err, storage.ErrNoVault) {
		t.Errorf("Unlock before CreateVault: %v, want ErrNoVault", err)
	}
	t.Run("ErrPassphraseTooShort", func(t *testing.T) {
		if _, err := db.CreateVault("short"); !errors.Is(err, storage.ErrPassphraseTooShort) {
			t.Errorf("err = %v", err)
		}
		// Characters, not bytes: nine two-byte letters are still too short.
		if _, err := db.CreateVault("ééééééééé"); !errors.Is(err, storage.ErrPassphraseTooShort) {
			t.Errorf("err = %v", err)
		}
	})
	rk, err := db.CreateVault(testPass)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$`).MatchString(rk) {
		t.Errorf("recovery key %q is not 8 groups of 4 base32 characters", rk)
	}
	if !db.Unlocked() {
		t.Error("not unlocked after CreateVault")
	}
	if ok, _ := db.HasVault(); !ok {
		t.Error("HasVault = false after CreateVault")
	}
	t.Run("ErrVaultExists", func(t *testing.T) {
		if _, err := db.CreateVault(testPass + "2"); !errors.Is(err, storage.ErrVaultExists) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestUnlockAndLock(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := randomBytes(1000, 1)
	id := f.record(t, s.ID, 1, want)
	f.reopen(t)
	if f.db.Unlocked() {
		t.Fatal("unlocked after reopen")
	}
	if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("OpenRecording while locked: %v", err)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, id), want)
	f.db.Lock()
	if f.db.Unlocked() {
		t.Error("Unlocked after Lock")
	}
}

func TestWrongPassphraseBackoff(t *testing.T) {
	f := newVault(t)
	f.reopen(t)
	for i := 1; i <= storage.MaxAttempts; i++ {
		if err := f.db.Unlock("wrong passphrase!"); !errors.Is(err, storage.ErrWrongPassphrase) {
			t.Fatalf("attempt %d: %v, want ErrWrongPassphrase", i, err)
		}
		if f.db.Unlocked() {
			t.Fatal("unlocked by a wrong passphrase")
		}
	}
	// The sixth attempt, even with the right passphrase, must wait.
	var re *storage.RetryError
	err := f.db.Unlock(testPass)
	if !errors.As(err, &re) || !errors.Is(err, storage.ErrTooManyAttempts) || re.Wait != storage.BackoffBase {
		t.Fatalf("attempt during back-off: %v, want RetryError{%s}", err, storage.BackoffBase)
	}

	t.Run("persisted across reopen", func(t *testing.T) {
		f.reopen(t)
		f.clock.Add(10 * time.Second)
		err := f.db.Unlock(testPass)
		if !errors.As(err, &re) || re.Wait != storage.BackoffBase-10*time.Second {
			t.Fatalf("after reopen: %v", err)
		}
	})
	t.Run("clock moved backwards does not lengthen the wait", func(t *testing.T) {
		f.clock.Add(-24 * time.Hour)
		err := f.db.Unlock(testPass)
		if !errors.As(err, &re) || re.Wait > storage.BackoffBase {
			t.Fatalf("clock backwards: %v", err)
		}
		f.clock.Add(24 * time.Hour)
	})
	t.Run("each further failure doubles the wait", func(t *testing.T) {
		f.clock.Add(storage.BackoffBase)
		if err := f.db.Unlock("wrong passphrase!"); !errors.Is(err, storage.ErrWrongPassphrase) {
			t.Fatalf("%v", err)
		}
		err := f.db.Unlock(testPass)
		if !errors.As(err, &re) || re.Wait != 2*storage.BackoffBase {
			t.Fatalf("after sixth failure: %v, want wait %s", err, 2*storage.BackoffBase)
		}
	})
	t.Run("ChangePassphrase is rate limited too", func(t *testing.T) {
		if err := f.db.ChangePassphrase(testPass, "a brand new passphrase"); !errors.Is(err, storage.ErrTooManyAttempts) {
			t.Fatalf("%v, want ErrTooManyAttempts", err)
		}
	})
	f.clock.Add(2 * storage.BackoffBase)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	// Success resets the count.
	f.db.Lock()
	if err := f.db.Unlock("wrong passphrase!"); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Fatalf("%v", err)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatalf("after reset: %v", err)
	}
	entries, _ := f.db.AuditLog(0, 1000, "")
	failed := 0
	for _, e := range entries {
		if e.Kind == storage.AuditUnlockFailed {
			failed++
		}
	}
	if failed != storage.MaxAttempts+2 {
		t.Errorf("%d failed unlocks audited, want %d", failed, storage.MaxAttempts+2)
	}
}

func TestBackoffCapped(t *testing.T) {
	f := newVault(t)
	f.db.Lock()
	var re *storage.RetryError
	for i := 0; i < 30; i++ {
		f.clock.Add(storage.BackoffMax)
		f.db.Unlock("wrong passphrase!")
	}
	if err := f.db.Unlock(testPass); !errors.As(err, &re) || re.Wait != storage.BackoffMax {
		t.Fatalf("%v, want wait %s", err, storage.BackoffMax)
	}
}

func TestRecoveryKey(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := randomBytes(700, 1)
	id := f.record(t, s.ID, 1, want)
	f.reopen(t)

	t.Run("ErrWrongRecoveryKey", func(t *testing.T) {
		other := "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"
		if err := f.db.UnlockWithRecoveryKey(other, "my new passphrase"); !errors.Is(err, storage.ErrWrongRecoveryKey) {
			t.Errorf("wrong key: %v", err)
		}
		if err := f.db.UnlockWithRecoveryKey("not a key", "my new passphrase"); !errors.Is(err, storage.ErrWrongRecoveryKey) {
			t.Errorf("malformed key: %v", err)
		}
		if err := f.db.UnlockWithRecoveryKey(f.recoveryKey, "short"); !errors.Is(err, storage.ErrPassphraseTooShort) {
			t.Errorf("short passphrase: %v", err)
		}
	})
	// Typed as a person would from the printout: lower case, spaces.
	typed := strings.ToLower(strings.ReplaceAll(f.recoveryKey, "-", " "))
	if err := f.db.UnlockWithRecoveryKey(typed, "my new passphrase"); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, id), want)
	f.reopen(t)
	if err := f.db.Unlock(testPass); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Errorf("old passphrase after recovery: %v", err)
	}
	if err := f.db.Unlock("my new passphrase"); err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	rk2, err := f.db.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.UnlockWithRecoveryKey(f.recoveryKey, "another passphrase"); !errors.Is(err, storage.ErrWrongRecoveryKey) {
		t.Errorf("replaced recovery key still works: %v", err)
	}
	if err := f.db.UnlockWithRecoveryKey(rk2, "another passphrase"); err != nil {
		t.Errorf("new recovery key: %v", err)
	}
}

func TestChangePassphrase(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := randomBytes(700, 1)
	id := f.record(t, s.ID, 1, want)
	path := storage.RecordingPath(f.db, id)
	if err := f.db.ChangePassphrase("wrong passphrase", "my new passphrase"); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Errorf("wrong old: %v", err)
	}
	if err := f.db.ChangePassphrase(testPass, "tiny"); !errors.Is(err, storage.ErrPassphraseTooShort) {
		t.Errorf("short new: %v", err)
	}
	if err := f.db.ChangePassphrase(testPass, "my new passphrase"); err != nil {
		t.Fatal(err)
	}
	// Only the master key was re-wrapped: the recording is the same file.
	if storage.RecordingPath(f.db, id) != path {
		t.Error("recording file changed")
	}
	f.reopen(t)
	if err := f.db.Unlock(testPass); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Errorf("old passphrase: %v", err)
	}
	if err := f.db.Unlock("my new passphrase"); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, id), want)
	if err := f.db.Unlock(testPass); err == nil {
		t.Error("old passphrase accepted")
	}
}

// TestDefaultKDFCost holds DefaultKDF to the floor DESIGN sets: deriving
// the key from a passphrase costs at least 250 ms here, so that guessing is
// expensive. It times the derivation Unlock runs, a few times, and judges
// the fastest: a busy machine only makes it slower.
func TestDefaultKDFCost(t *testing.T) {
	if testing.Short() {
		t.Skip("pays the real Argon2id cost")
	}
	const floor = 250 * time.Millisecond
	salt := make([]byte, 16)
	fastest := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		storage.DeriveKey(storage.DefaultKDF, testPass, salt)
		took := time.Since(start)
		t.Logf("Argon2id with DefaultKDF %+v: %s", storage.DefaultKDF, took)
		fastest = min(fastest, took)
	}
	if fastest < floor {
		t.Errorf("DefaultKDF %+v derives a key in %s at best, under the %s floor: the parameters are too cheap "+
			"for this machine (a floor on a cost we choose, so a faster machine needs dearer parameters, not a lower floor)",
			storage.DefaultKDF, fastest, floor)
	}
}

func BenchmarkDefaultKDF(b *testing.B) {
	dir := b.TempDir()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateVault(testPass); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		db.Lock()
		if err := db.Unlock(testPass); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/unlock")
}

// TestCheckPassphraseDoesNotLockOut: wrong passphrases at the client
// screen are audited but never start Unlock's back-off; the right one is
// recognised; a locked vault is not checked.
func TestCheckPassphraseDoesNotLockOut(t *testing.T) {
	f := newVault(t)
	for i := range 3 * storage.MaxAttempts {
		if err := f.db.CheckPassphrase(fmt.Sprintf("not it %d", i)); !errors.Is(err, storage.ErrWrongPassphrase) {
			t.Fatalf("wrong passphrase %d: %v", i, err)
		}
	}
	if err := f.db.CheckPassphrase(testPass); err != nil {
		t.Fatalf("the right passphrase: %v", err)
	}
	head, _, err := f.db.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	log, err := f.db.AuditOfKind(storage.AuditCheckFailed, 0, head)
	if err != nil || len(log) != 3*storage.MaxAttempts {
		t.Errorf("%d audited wrong attempts, %v; want %d", len(log), err, 3*storage.MaxAttempts)
	}
	f.db.Lock()
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatalf("the therapist's own unlock after wrong attempts at the client screen: %v", err)
	}
	f.db.Lock()
	if err := f.db.CheckPassphrase(testPass); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("checking while locked: %v, want ErrLocked", err)
	}
}
