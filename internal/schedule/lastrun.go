package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// LastRunFile is the file in the data folder where RecordRun keeps the
// last run of `assent purge`. It holds no client's data, only a time and a
// count, so it needs no passphrase to read.
const LastRunFile = "last-purge"

// Run is one run of `assent purge`.
type Run struct {
	// At is when it ended; zero for a purge that never ran.
	At time.Time `json:"at"`
	// Deleted is how many recordings it deleted.
	Deleted int `json:"deleted"`
	// Finished: it deleted everything that was due. False when it stopped
	// at a problem (what is left is deleted at a later run).
	Finished bool `json:"finished"`
}

// Never reports whether the purge has never run (no record of a run).
func (r Run) Never() bool { return r.At.IsZero() }

// RecordRun keeps r as the last run of the purge of the data folder
// dataDir, replacing the one before: whole or not at all, synced to the
// disk. dataDir must exist.
func RecordRun(dataDir string, r Run) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("schedule: record the run: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dataDir, LastRunFile), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("schedule: record the run: %w", err)
	}
	return nil
}

// LastRun returns the last run RecordRun kept for dataDir: a Run whose At
// is zero, and no error, when there is none.
func LastRun(dataDir string) (Run, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, LastRunFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Run{}, nil
	}
	if err != nil {
		return Run{}, fmt.Errorf("schedule: read the last run: %w", err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return Run{}, fmt.Errorf("schedule: read the last run: %s holds %q: %w", LastRunFile, b, err)
	}
	return r, nil
}
