package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// applicationID is PRAGMA application_id of an Assent database ('ASNT'),
// set by the first migration.
const applicationID = 0x41534E54

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema change: migrations/NNNN_name.sql moves the
// schema from user_version NNNN-1 to NNNN.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the embedded list, checked when the package loads so that a
// misnamed file fails every test rather than a user's upgrade.
var migrations = mustLoadMigrations(migrationFiles, "migrations")

// SchemaVersion is the schema version (PRAGMA user_version) this build
// writes, the number of its last embedded migration. Open brings every older
// database up to it and refuses newer ones.
func SchemaVersion() int { return len(migrations) }

func mustLoadMigrations(fsys fs.FS, dir string) []migration {
	ms, err := loadMigrations(fsys, dir)
	if err != nil {
		panic(err)
	}
	return ms
}

// loadMigrations reads dir/NNNN_name.sql files, which must be numbered
// 1, 2, 3 ... without gaps.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("storage: migration %s: name must be NNNN_description.sql", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("storage: migration %s: expected number %04d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate brings the database to len(ms), one migration per transaction, each
// setting user_version inside its own transaction, so that a crash leaves the
// schema at some whole version and never between two.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if v > len(ms) {
		return fmt.Errorf("schema version %d, this build knows %d: %w", v, len(ms), ErrNewerSchema)
	}
	if err := checkApplication(ctx, db, v); err != nil {
		return err
	}
	for _, m := range ms[v:] {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see dsn): one migrator at a time
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, dbErr(err))
	}
	defer tx.Rollback()
	// Another process may have migrated while we waited for the lock.
	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, dbErr(err))
	}
	if cur >= m.version {
		return nil
	}
	if cur != m.version-1 {
		return fmt.Errorf("migration %s: schema is at version %d", m.name, cur)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, dbErr(err))
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, dbErr(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, dbErr(err))
	}
	return nil
}

func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", dbErr(err))
	}
	return v, nil
}

// checkApplication refuses an SQLite file that is not an Assent database: a
// versioned one must carry our application_id; an unversioned one must be
// empty.
func checkApplication(ctx context.Context, db *sql.DB, version int) error {
	if version > 0 {
		var id int64
		if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
			return fmt.Errorf("read application id: %w", dbErr(err))
		}
		if id != applicationID {
			return fmt.Errorf("application id %#x: %w", id, ErrCorrupt)
		}
		return nil
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("read schema: %w", dbErr(err))
	}
	if n > 0 {
		return fmt.Errorf("unversioned database with %d schema objects: %w", n, ErrCorrupt)
	}
	return nil
}
