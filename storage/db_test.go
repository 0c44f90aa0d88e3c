package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assent-recorder/assent/storage"
)

func TestOpenCreatesDataFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "assent")
	db := openDB(t, dir, newClock())
	for _, d := range []string{dir, filepath.Join(dir, storage.RecordingsDir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", d, fi.Mode().Perm())
		}
	}
	if ok, err := db.HasVault(); err != nil || ok {
		t.Errorf("HasVault = %v, %v", ok, err)
	}
	// Opening again is fine.
	db.Close()
	openDB(t, dir, newClock())
}

func TestOpenPathWithOddCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Dr Smith's #1 practice?x=1 100%")
	db := openDB(t, dir, newClock())
	if _, err := db.CreateVault(testPass); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateClient("c"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, storage.DBFile)); err != nil {
		t.Errorf("database not where expected: %v", err)
	}
}

// Every pooled connection must have the pragmas, not just the first.
func TestPragmasOnEveryConnection(t *testing.T) {
	dir := t.TempDir()
	openDB(t, dir, newClock()).Close()
	raw, err := sql.Open("sqlite", storage.DSN(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	var conns []*sql.Conn
	for i := 0; i < 3; i++ {
		c, err := raw.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000", "secure_delete": "1"}
	for i, c := range conns {
		for p, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("connection %d: %s = %s, want %s", i, p, got, w)
			}
		}
		c.Close()
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	t.Run("garbage", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, storage.DBFile), randomBytes(10000, 1), 0o600)
		if _, err := storage.Open(dir, testOptions(newClock())); !errors.Is(err, storage.ErrCorrupt) {
			t.Errorf("err = %v, want ErrCorrupt", err)
		}
	})
	t.Run("another application's SQLite database", func(t *testing.T) {
		dir := t.TempDir()
		raw, _ := sql.Open("sqlite", storage.DSN(dir))
		mustExec(t, raw, "CREATE TABLE photos (id INTEGER)")
		raw.Close()
		if _, err := storage.Open(dir, testOptions(newClock())); !errors.Is(err, storage.ErrCorrupt) {
			t.Errorf("err = %v, want ErrCorrupt", err)
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		dir := t.TempDir()
		openDB(t, dir, newClock()).Close()
		raw, _ := sql.Open("sqlite", storage.DSN(dir))
		mustExec(t, raw, "PRAGMA user_version = 999")
		raw.Close()
		_, err := storage.Open(dir, testOptions(newClock()))
		if !errors.Is(err, storage.ErrNewerSchema) {
			t.Errorf("err = %v, want ErrNewerSchema", err)
		}
	})
}

// Damage anywhere in the database file gives errors, never a panic.
func TestDamagedDatabaseNeverPanics(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	f.record(t, s.ID, 1, randomBytes(300, 1))
	f.db.SaveNotes(s.ID, storage.Notes{Text: "notes"})
	f.db.Close() // checkpoints the WAL into assent.db
	orig, err := os.ReadFile(filepath.Join(f.dir, storage.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := 0
	for off := 0; off < len(orig); off += 1021 { // a prime stride crosses every page at varying places
		dir := t.TempDir()
		copyDir(t, f.dir, dir)
		b := append([]byte(nil), orig...)
		copy(b[off:], randomBytes(64, uint64(off)))
		os.WriteFile(filepath.Join(dir, storage.DBFile), b, 0o600)
		db, err := storage.Open(dir, testOptions(f.clock))
		if err != nil {
			if errors.Is(err, storage.ErrCorrupt) {
				corrupt++
			}
			continue
		}
		// Exercise the damaged file; errors are fine, panics are not.
		db.Unlock(testPass)
		db.Clients()
		db.Session(s.ID)
		db.Recordings(s.ID)
		db.Notes(s.ID)
		db.VerifyAudit()
		db.Purge(f.clock.Now().Add(365 * 24 * time.Hour))
		db.Close()
	}
	t.Logf("%d damaged copies, %d refused at Open as ErrCorrupt", (len(orig)+1020)/1021, corrupt)
}

func schemaOf(t *testing.T, dir string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", storage.DSN(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, s string
		rows.Scan(&typ, &name, &s)
		b.WriteString(typ + " " + name + ": " + s + "\n")
	}
	var v, app int
	raw.QueryRow("PRAGMA user_version").Scan(&v)
	raw.QueryRow("PRAGMA application_id").Scan(&app)
	fmt.Fprintf(&b, "user_version %d application_id %#x\n", v, app)
	return b.String()
}

func TestMigrationsFromEveryVersion(t *testing.T) {
	fresh := t.TempDir()
	openDB(t, fresh, newClock()).Close()
	want := schemaOf(t, fresh)
	for v := 0; v < storage.SchemaVersion(); v++ {
		dir := t.TempDir()
		if err := storage.MigrateTo(dir, v); err != nil {
			t.Fatalf("MigrateTo(%d): %v", v, err)
		}
		openDB(t, dir, newClock()).Close()
		if got := schemaOf(t, dir); got != want {
			t.Errorf("from version %d the schema differs:\n%s\nwant:\n%s", v, got, want)
		}
	}
}

func TestMigrationMachinery(t *testing.T) {
	version := func(t *testing.T, dir string) int {
		raw, _ := sql.Open("sqlite", storage.DSN(dir))
		defer raw.Close()
		var v int
		raw.QueryRow("PRAGMA user_version").Scan(&v)
		return v
	}
	good := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("PRAGMA application_id = 1095978580; CREATE TABLE a (x);")},
		"migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (y); INSERT INTO b VALUES (1);")},
	}
	t.Run("in order, one transaction each", func(t *testing.T) {
		dir := t.TempDir()
		if err := storage.MigrateFS(dir, good); err != nil {
			t.Fatal(err)
		}
		if v := version(t, dir); v != 2 {
			t.Errorf("version %d", v)
		}
		bad := fstest.MapFS{
			"migrations/0001_a.sql": good["migrations/0001_a.sql"],
			"migrations/0002_b.sql": good["migrations/0002_b.sql"],
			"migrations/0003_c.sql": {Data: []byte("CREATE TABLE c (z); INSERT INTO nowhere VALUES (1);")},
		}
		if err := storage.MigrateFS(dir, bad); err == nil || !strings.Contains(err.Error(), "0003_c.sql") {
			t.Errorf("failing migration: %v", err)
		}
		if v := version(t, dir); v != 2 {
			t.Errorf("after a failed migration, version %d, want 2", v)
		}
		raw, _ := sql.Open("sqlite", storage.DSN(dir))
		defer raw.Close()
		if _, err := raw.Exec("SELECT * FROM c"); err == nil {
			t.Error("the failed migration's table exists: not rolled back")
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		dir := t.TempDir()
		storage.MigrateFS(dir, good)
		older := fstest.MapFS{"migrations/0001_a.sql": good["migrations/0001_a.sql"]}
		if err := storage.MigrateFS(dir, older); !errors.Is(err, storage.ErrNewerSchema) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("numbering", func(t *testing.T) {
		for name, fsys := range map[string]fstest.MapFS{
			"gap":      {"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}},
			"misnamed": {"migrations/first.sql": {}},
		} {
			if err := storage.MigrateFS(t.TempDir(), fsys); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
}

// A clock that moves on every reading shows whether a transaction read it
// more than once: all rows written together must carry the same time.
func TestOneNowPerTransaction(t *testing.T) {
	dir := t.TempDir()
	var n int64
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ticking := func() time.Time { n++; return base.Add(time.Duration(n) * time.Second) }
	db, err := storage.Open(dir, storage.Options{Now: ticking, KDF: cheapKDF, ChunkSize: testChunk})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateVault(testPass); err != nil {
		t.Fatal(err)
	}
	c, _ := db.CreateClient("c")
	s, _ := db.CreateSession(c.ID, storage.Participant{Name: "A"}, storage.Participant{Name: "B"})
	if !s.Participants[0].JoinedAt.Equal(s.StartedAt) || !s.Participants[1].JoinedAt.Equal(s.StartedAt) {
		t.Errorf("session and participants written together carry different times")
	}
	w, err := db.NewRecording(s.ID, 1, base.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	rec, _ := db.Recording(w.ID())
	log, _ := db.AuditLog(0, 10, w.ID())
	if !log[0].At.Equal(rec.StartedAt) || !log[1].At.Equal(rec.EndedAt) {
		t.Errorf("recording %v..%v, audit rows at %v, %v", rec.StartedAt, rec.EndedAt, log[0].At, log[1].At)
	}
}

func TestClientsAndSessions(t *testing.T) {
	f := newVault(t)
	if _, err := f.db.CreateClient("  "); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("empty label: %v", err)
	}
	b, _ := f.db.CreateClient("b-client")
	a, _ := f.db.CreateClient("A-client")
	cs, err := f.db.Clients()
	if err != nil || len(cs) != 2 || cs[0].ID != a.ID {
		t.Errorf("Clients = %+v, %v", cs, err)
	}
	if err := f.db.RenameClient(b.ID, "C-client"); err != nil {
		t.Error(err)
	}
	if c, _ := f.db.Client(b.ID); c.Label != "C-client" {
		t.Errorf("after rename: %+v", c)
	}
	if _, err := f.db.Client("0123456789abcdef0123456789abcdef"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown client: %v", err)
	}
	if _, err := f.db.CreateSession("0123456789abcdef0123456789abcdef"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("session for unknown client: %v", err)
	}
	s1, _ := f.db.CreateSession(a.ID, storage.Participant{Name: "Sam", Role: "client"})
	f.clock.Add(time.Hour)
	s2, _ := f.db.CreateSession(a.ID)
	p, err := f.db.AddParticipant(s2.ID, storage.Participant{Name: "Jo", Role: "partner"})
	if err != nil || p.ID == "" {
		t.Fatalf("AddParticipant = %+v, %v", p, err)
	}
	f.db.EndSession(s1.ID)
	got, err := f.db.Session(s2.ID)
	if err != nil || len(got.Participants) != 1 || got.Participants[0].Name != "Jo" || !got.EndedAt.IsZero() {
		t.Errorf("Session = %+v, %v", got, err)
	}
	ss, _ := f.db.Sessions(a.ID)
	if len(ss) != 2 || ss[0].ID != s2.ID || ss[1].EndedAt.IsZero() {
		t.Errorf("Sessions = %+v", ss)
	}
	f.clock.Add(time.Hour)
	s3, _ := f.db.CreateSession(b.ID)
	open, err := f.db.OpenSessions()
	if err != nil || len(open) != 2 || open[0].ID != s2.ID || open[1].ID != s3.ID {
		t.Errorf("OpenSessions = %+v, %v; want s2 then s3", open, err)
	}
	lastTrace := f.clock.Now().Add(-30 * time.Minute)
	if err := f.db.EndSessionAt(s3.ID, lastTrace); err != nil {
		t.Fatal(err)
	}
	if err := f.db.EndSessionAt(s3.ID, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Session(s3.ID); !got.EndedAt.Equal(lastTrace) {
		t.Errorf("ended at %v, want the first end %v", got.EndedAt, lastTrace)
	}
	if err := f.db.EndSessionAt(s2.ID, time.Time{}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("EndSessionAt the zero time: %v", err)
	}
	if open, _ := f.db.OpenSessions(); len(open) != 1 || open[0].ID != s2.ID {
		t.Errorf("OpenSessions after ending s3 = %+v", open)
	}

	t.Run("archive", func(t *testing.T) {
		if err := f.db.ArchiveClient(a.ID, true); err != nil {
			t.Fatal(err)
		}
		if c, _ := f.db.Client(a.ID); !c.ArchivedAt.Equal(f.clock.Now()) {
			t.Errorf("archived at %v, want %v", c.ArchivedAt, f.clock.Now())
		}
		if ss, _ := f.db.Sessions(a.ID); len(ss) != 2 {
			t.Errorf("archiving lost sessions: %d left", len(ss))
		}
		if err := f.db.ArchiveClient(a.ID, false); err != nil {
			t.Fatal(err)
		}
		if c, _ := f.db.Client(a.ID); !c.ArchivedAt.IsZero() {
			t.Errorf("still archived: %+v", c)
		}
		if err := f.db.ArchiveClient("0123456789abcdef0123456789abcdef", true); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("archiving an unknown client: %v", err)
		}
	})
}

func TestSettings(t *testing.T) {
	f := newVault(t)
	if _, ok, err := f.db.Setting("retention_days"); ok || err != nil {
		t.Errorf("unset setting: %v, %v", ok, err)
	}
	f.db.SetSetting("retention_days", "30")
	f.db.SetSetting("retention_days", "14")
	if v, ok, err := f.db.Setting("retention_days"); v != "14" || !ok || err != nil {
		t.Errorf("Setting = %q, %v, %v", v, ok, err)
	}
}

// TestShortenDeletion: a later, shorter choice moves live recordings'
// dates earlier, never later, and leaves deleted ones alone.
func TestShortenDeletion(t *testing.T) {
	f := newVault(t)
	c, _ := f.db.CreateClient("C")
	s, _ := f.db.CreateSession(c.ID, storage.Participant{Name: "Sam", Role: "client"})
	far := f.clock.Now().Add(28 * 24 * time.Hour)
	w, err := f.db.NewRecording(s.ID, 1, far, []string{"reflection"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("audio"))
	w.Close()
	near := f.clock.Now().Add(7 * 24 * time.Hour)
	if n, err := f.db.ShortenDeletion(s.ID, near); n != 1 || err != nil {
		t.Fatalf("ShortenDeletion = %d, %v", n, err)
	}
	if r, _ := f.db.Recording(w.ID()); !r.DeleteOn.Equal(near) {
		t.Errorf("delete on %v, want %v", r.DeleteOn, near)
	}
	if n, err := f.db.ShortenDeletion(s.ID, far); n != 0 || err != nil {
		t.Errorf("moving later: %d, %v", n, err)
	}
	if r, _ := f.db.Recording(w.ID()); !r.DeleteOn.Equal(near) {
		t.Errorf("a later date moved the recording to %v", r.DeleteOn)
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Error(err)
	}
}

// TestLostDatabaseIsRefused: an emptied or removed assent.db beside
// recording files is refused, not replaced by a new empty practice.
func TestLostDatabaseIsRefused(t *testing.T) {
	for _, how := range []string{"emptied", "removed"} {
		t.Run(how, func(t *testing.T) {
			f := newVault(t)
			f.record(t, f.session(t).ID, 1, []byte("some audio"))
			dir := f.dir
			f.db.Close()
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(filepath.Join(dir, storage.DBFile+suffix))
			}
			db := filepath.Join(dir, storage.DBFile)
			if how == "emptied" {
				if err := os.Truncate(db, 0); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Remove(db); err != nil {
				t.Fatal(err)
			}
			if _, err := storage.Open(dir, testOptions(newClock())); !errors.Is(err, storage.ErrCorrupt) {
				t.Fatalf("Open with the database %s: %v, want ErrCorrupt", how, err)
			}
			recs, _ := filepath.Glob(filepath.Join(dir, storage.RecordingsDir, "*.rec"))
			if len(recs) != 1 {
				t.Errorf("%d recording files left, want the 1 untouched", len(recs))
			}
		})
	}
}

// One Assent window per data folder: a second claim (another process, here
// another DB on the folder) is refused until the first DB is closed; the
// command-line tools, which do not claim, open the folder all the while.
func TestClaimForApp(t *testing.T) {
	f := newVault(t)
	if err := f.db.ClaimForApp(); err != nil {
		t.Fatal(err)
	}
	if err := f.db.ClaimForApp(); err != nil {
		t.Errorf("claiming twice in one DB: %v", err)
	}
	second := openDB(t, f.dir, f.clock)
	if err := second.ClaimForApp(); !errors.Is(err, storage.ErrInUse) {
		t.Errorf("a second window's claim: %v, want ErrInUse", err)
	}
	if _, err := second.Status(); err != nil {
		t.Errorf("a tool beside the window: %v", err)
	}
	f.db.Close()
	if err := second.ClaimForApp(); err != nil {
		t.Errorf("claim after the first window closed: %v", err)
	}
}
