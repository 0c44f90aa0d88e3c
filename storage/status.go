package storage

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Status is an overview of a data folder that needs no passphrase and holds
// nothing that identifies a client: for `assent status`.
type Status struct {
	Clients           int
	Sessions          int
	LiveRecordings    int       // recording, complete or recovered
	DeletedRecordings int       // tombstones
	Interrupted       int       // awaiting crash recovery (state recording, no writer here)
	NextDeletion      time.Time // earliest deletion date of a live recording; zero if none
	BytesOnDisk       int64     // database files and recording files
	SchemaVersion     int
	FormatVersion     int
	HasVault          bool
	AuditRows         int64
	// RecordingFilesSeen counts the recording files in recordings/
	// (CACHEDIR.TAG and other files are not counted).
	RecordingFilesSeen int
	// Owed counts the owed journal's items: consent steps not yet stored
	// and cuts not yet done (see OweConsentEvent).
	Owed int
	// LatestSeen is the latest time seen on the clock (see LatestSeen);
	// zero if none yet.
	LatestSeen time.Time
	// AuditHead is the head of the audit log in short (AuditHeadShort):
	// "#<row> <8 hex digits>", "" for an empty log.
	AuditHead string
	// FilesMissing counts the live recordings whose file is not in
	// recordings/ (Recording.FileMissing): not in the backup.
	FilesMissing int
}

// Status counts what the data folder holds.
func (db *DB) Status() (Status, error) {
	st := Status{SchemaVersion: SchemaVersion(), FormatVersion: FormatVersion}
	var next sql.NullInt64
	err := db.sql.QueryRow(`SELECT
		(SELECT count(*) FROM clients),
		(SELECT count(*) FROM sessions),
		(SELECT count(*) FROM recordings WHERE state <> 'deleted'),
		(SELECT count(*) FROM recordings WHERE state = 'deleted'),
		(SELECT count(*) FROM recordings WHERE state = 'recording'),
		(SELECT min(`+inForceSQL+`) FROM recordings WHERE state <> 'deleted'),
		(SELECT count(*) FROM vault),
		(SELECT coalesce(max(id), 0) FROM audit)`).Scan(&st.Clients, &st.Sessions, &st.LiveRecordings,
		&st.DeletedRecordings, &st.Interrupted, &next, &st.HasVault, &st.AuditRows)
	if err != nil {
		return Status{}, fmt.Errorf("storage: status: %w", dbErr(err))
	}
	st.NextDeletion = fromNullNanos(next)
	if st.LatestSeen, err = db.LatestSeen(); err != nil {
		return Status{}, err
	}
	if st.AuditHead, err = db.AuditHeadShort(); err != nil {
		return Status{}, err
	}
	st.Owed = db.owedItems()
	db.mu.Lock()
	st.Interrupted -= len(db.writers)
	db.mu.Unlock()
	st.Interrupted = max(st.Interrupted, 0)
	for _, name := range []string{DBFile, DBFile + "-wal", DBFile + "-shm"} {
		if fi, err := os.Stat(filepath.Join(db.dir, name)); err == nil {
			st.BytesOnDisk += fi.Size()
		}
	}
	entries, err := readDirUnsorted(db.recDir)
	if err != nil && !(db.readOnly && os.IsNotExist(err)) {
		return Status{}, fmt.Errorf("storage: status: %w", err)
	}
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && isRecordingFileName(e.Name()) {
			st.BytesOnDisk += fi.Size()
			st.RecordingFilesSeen++
			present[e.Name()] = true
		}
	}
	live, err := queryStrings(db.sql, "SELECT coalesce(file, '') FROM recordings WHERE state <> 'deleted'")
	if err != nil {
		return Status{}, fmt.Errorf("storage: status: %w", dbErr(err))
	}
	for _, name := range live {
		if !present[name] {
			st.FilesMissing++
		}
	}
	return st, nil
}
