// Package dbtest holds what tests of several packages do to a practice's
// database from outside: for now, holding its write lock as another
// process would.
package dbtest

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	// The SQLite driver Assent uses.
	_ "modernc.org/sqlite"
)

// HoldWriteLock takes the write lock of the database file in the data
// folder dir from a connection of its own, as `assent purge` or a backup
// tool in another process would, and keeps it until release is called
// (or the test ends). Meanwhile every write of the practice waits for its
// busy timeout and then fails.
func HoldWriteLock(t testing.TB, dir, dbFile string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		other.Close()
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		other.Close()
		t.Fatalf("taking the database's write lock: %v", err)
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
		other.Close()
	}
	t.Cleanup(release)
	return release
}
