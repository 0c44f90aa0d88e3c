package storage_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// copyFile copies one file, as a therapist restoring a backup would.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// recordingFiles lists recordings/ (sorted), less the CACHEDIR.TAG that
// every Open writes there.
func recordingFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, storage.RecordingsDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != storage.CacheDirTag {
			names = append(names, e.Name())
		}
	}
	return names
}

func orphanAudits(t *testing.T, db *storage.DB) []storage.AuditEntry {
	t.Helper()
	log, err := db.AuditOfKind(storage.AuditOrphanRemoved, 0, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// A database that lost the rows of its newest recording (here an older
// copy of assent.db put back, as a damaged WAL does in proof/) leaves that
// recording's file with no record and no key. Open removes it, says so in
// the audit log and in RemovedOrphans, and leaves everything else: the
// recording the database knows still plays, and a file in recordings/ that
// is not a recording file is not touched.
func TestOpenRemovesAFileWhoseRowWasLost(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	kept := randomBytes(10*testChunk, 1)
	keptID := f.record(t, s.ID, 1, kept)
	f.reopen(t) // Close checkpoints: assent.db alone holds the practice
	backup := filepath.Join(t.TempDir(), "assent.db.bak")
	copyFile(t, filepath.Join(f.dir, storage.DBFile), backup)

	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	lostID := f.record(t, s.ID, 2, randomBytes(7*testChunk, 2))
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	copyFile(t, backup, filepath.Join(f.dir, storage.DBFile))
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(filepath.Join(f.dir, storage.DBFile+suffix))
	}
	stranger := filepath.Join(f.dir, storage.RecordingsDir, "README.txt")
	if err := os.WriteFile(stranger, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}

	f.db = openDB(t, f.dir, f.clock)
	if _, err := f.db.Recording(lostID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the restored database knows the newer recording (%v): the test does not lose its row", err)
	}
	want := []string{lostID + ".rec"}
	if got := f.db.RemovedOrphans(); !slices.Equal(got, want) {
		t.Errorf("RemovedOrphans = %v, want %v", got, want)
	}
	if got, want := recordingFiles(t, f.dir), slices.Sorted(slices.Values([]string{"README.txt", keptID + ".rec"})); !slices.Equal(got, want) {
		t.Errorf("recordings/ holds %v, want the kept recording and README.txt", got)
	}
	audits := orphanAudits(t, f.db)
	if len(audits) != 1 || audits[0].Subject != lostID {
		t.Fatalf("audit rows for removed files: %+v, want one about %s", audits, lostID)
	}
	t.Logf("audit: %s", audits[0].Detail)
	if err := f.db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, keptID), kept)

	f.reopen(t)
	if got := f.db.RemovedOrphans(); len(got) != 0 {
		t.Errorf("the next Open removed %v again", got)
	}
	if n := len(orphanAudits(t, f.db)); n != 1 {
		t.Errorf("%d audit rows for removed files after a second Open, want 1", n)
	}
}

// A replacement file that recovery or DeleteAfter had named in the row
// (discard_file) is the row's business, not an orphan; one whose naming the
// database lost is an orphan. Names that only look like recording files
// (wrong length, capitals, another suffix) are never touched.
func TestOrphanNames(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(5*testChunk, 3))
	recDir := filepath.Join(f.dir, storage.RecordingsDir)
	orphans := []string{
		id + ".0badf00d.rec", // a replacement of a known recording, not named
		"0123456789abcdef0123456789abcdef.rec",
		"0123456789abcdef0123456789abcdef.00000000.rec",
	}
	strangers := []string{
		"0123456789ABCDEF0123456789ABCDEF.rec",
		"0123456789abcdef0123456789abcde.rec",
		"0123456789abcdef0123456789abcdef.rec.bak",
		"0123456789abcdef0123456789abcdef.0000000.rec",
		"0123456789abcdef0123456789abcdef.0000000g.rec",
		".0123456789abcdef0123456789abcdef.rec",
		"notes.txt",
	}
	for _, n := range append(slices.Clone(orphans), strangers...) {
		if err := os.WriteFile(filepath.Join(recDir, n), randomBytes(300, 4), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f.reopen(t)
	slices.Sort(orphans)
	got := f.db.RemovedOrphans()
	slices.Sort(got)
	if !slices.Equal(got, orphans) {
		t.Errorf("removed %v, want %v", got, orphans)
	}
	left := recordingFiles(t, f.dir)
	for _, n := range append(strangers, id+".rec") {
		if !slices.Contains(left, n) {
			t.Errorf("%s was removed", n)
		}
	}
}

// A database with no practice in it beside recording files it does not
// name is not trusted to say what is an orphan: Open refuses (as it does a
// missing assent.db) and removes nothing.
func TestOrphansBesideAnEmptyPracticeAreRefused(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	db := openDB(t, dir, c) // no vault: an empty practice
	db.Close()
	path := filepath.Join(dir, storage.RecordingsDir, "0123456789abcdef0123456789abcdef.rec")
	if err := os.WriteFile(path, randomBytes(300, 6), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(dir, testOptions(c))
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, storage.ErrCorrupt) {
		t.Errorf("Open = %v, want ErrCorrupt", err)
	}
	t.Log(err)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the file: %v", err)
	}
}

// `assent purge` and `assent verify` open the folder while the app
// records: their Open must never take the app's recordings for orphans.
// Two DBs on one folder stand for the two processes. At the worst moment
// (the other Open has listed recordings/ and not yet read the names) the
// app makes a whole recording, and closes it so that no file lock protects
// it; and then the app makes 20 more while the other opens the folder
// again and again.
func TestOpenBesideTheAppRecording(t *testing.T) {
	app := newVault(t)
	s := app.session(t)
	var ids []string
	var data [][]byte
	record := func() {
		b := randomBytes(8*testChunk, uint64(10+len(ids)))
		ids = append(ids, app.record(t, s.ID, len(ids)+1, b))
		data = append(data, b)
	}
	app.record(t, s.ID, 100, randomBytes(testChunk, 9)) // something to list
	storage.AfterOrphanListing(record)
	other := openDB(t, app.dir, app.clock)
	storage.AfterOrphanListing(nil)
	if len(ids) != 1 {
		t.Fatalf("the hook ran %d times", len(ids))
	}
	if got := other.RemovedOrphans(); len(got) != 0 {
		t.Fatalf("the other Open removed %v", got)
	}
	other.Close()

	done := make(chan struct{})
	var wg sync.WaitGroup
	var opens int
	var openErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			db, err := storage.Open(app.dir, testOptions(app.clock))
			if err != nil {
				openErr = err
				return
			}
			opens++
			if got := db.RemovedOrphans(); len(got) != 0 {
				openErr = errors.New("removed " + got[0])
			}
			db.Close()
		}
	}()
	for range 20 {
		record()
	}
	close(done)
	wg.Wait()
	if openErr != nil {
		t.Fatalf("the other Open: %v", openErr)
	}
	if opens < 2 {
		t.Fatalf("the other process opened the folder %d times: the test did not race", opens)
	}
	t.Logf("opened %d times beside 20 recordings", opens)
	for i, id := range ids {
		equalBytes(t, app.readAll(t, id), data[i])
	}
	if n := len(orphanAudits(t, app.db)); n != 0 {
		t.Errorf("%d audit rows for removed files", n)
	}
}

// A database that opens but fails SQLite's integrity check might be hiding
// the rows that name some files: Open leaves every file without a record
// where it is, says why in OrphanProblem, and still opens, so that purge
// can delete what is due.
func TestOrphansBesideADamagedDatabaseAreLeft(t *testing.T) {
	f := newVault(t)
	for i := range 400 { // audit pages to damage, away from the tables Open reads
		if err := f.db.Audit("test.filler", strings.Repeat("x", 200)+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	f.db.Close()
	dbPath := filepath.Join(f.dir, storage.DBFile)
	b, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	last := len(b)/page - 2 // an audit leaf page near the end
	for i := last*page + 8; i < last*page+page/2; i++ {
		b[i] = 0xA5
	}
	if err := os.WriteFile(dbPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	name := "0123456789abcdef0123456789abcdef.rec"
	orphan := filepath.Join(f.dir, storage.RecordingsDir, name)
	if err := os.WriteFile(orphan, randomBytes(300, 8), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(f.dir, testOptions(f.clock))
	if err != nil {
		t.Fatalf("Open refused a database that purge could still use: %v", err)
	}
	defer db.Close()
	if p := db.OrphanProblem(); !errors.Is(p, storage.ErrCorrupt) {
		t.Errorf("OrphanProblem = %v, want ErrCorrupt (the damage did not show: the test is blind)", p)
	} else {
		t.Log(p)
	}
	if got := db.RemovedOrphans(); len(got) != 0 {
		t.Errorf("removed %v beside a damaged database", got)
	}
	if _, err := os.Stat(orphan); err != nil {
		t.Errorf("the file: %v", err)
	}
	if _, err := db.Purge(f.clock.Now()); err != nil {
		t.Errorf("Purge beside the damage: %v", err)
	}
}
