package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/assent-recorder/assent/storage"
)

const statusHelp = `Usage: assent status [--json] [--data DIR]

Shows what the data folder holds: how many clients and sessions, how many
recordings are kept and how many were deleted, the next deletion date, the
space used on disk, and the versions of the database schema and of the
recording file format. Needs no passphrase and shows no client's label or
name.

It changes nothing in the data folder, and may run while Assent is open.
What the next start (of Assent, or of 'assent purge') would change is said
at the end: withdrawn recordings erased, owed steps finished, recording
files without a record removed, permissions tightened.

With --json, prints the same as one JSON object (times in RFC 3339, the
next deletion null when no recording is kept).

Exit status: 0 shown, 1 a problem (said on stderr), 2 wrong usage.
`

// statusJSON is the shape of `assent status --json`. Its field names are
// an interface for scripts: add fields, never rename them.
type statusJSON struct {
	DataDir               string     `json:"dataDir"`
	Clients               int        `json:"clients"`
	Sessions              int        `json:"sessions"`
	LiveRecordings        int        `json:"liveRecordings"`
	DeletedRecordings     int        `json:"deletedRecordings"`
	InterruptedRecordings int        `json:"interruptedRecordings"`
	NextDeletion          *time.Time `json:"nextDeletion"`
	Overdue               bool       `json:"overdue"`
	BytesOnDisk           int64      `json:"bytesOnDisk"`
	RecordingFiles        int        `json:"recordingFiles"`
	SchemaVersion         int        `json:"schemaVersion"`
	FormatVersion         int        `json:"formatVersion"`
	PassphraseSet         bool       `json:"passphraseSet"`
	AuditRows             int64      `json:"auditRows"`
	OwedSteps             int        `json:"owedSteps"`
	NotInBackup           int        `json:"notInBackup"`
	// What the next start would change (see storage.Pending).
	WithdrawnRecordings []string `json:"withdrawnRecordings"`
	OrphanFiles         []string `json:"orphanFiles"`
	LeftoverFiles       int      `json:"leftoverFiles"`
	LoosePermissions    []string `json:"loosePermissions"`
	CacheDirTagMissing  bool     `json:"cacheDirTagMissing"`
}

// runStatus is `assent status`.
func runStatus(args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", stderr)
	data := dataFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	dir, code, ok := parseCommand(fs, args, statusHelp, data, getenv, stdout, stderr)
	if !ok {
		return code
	}
	db, err := openReadOnly(dir, now)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return exitProblems
	}
	defer db.Close()
	st, err := db.Status()
	if err != nil {
		report(stderr, getenv, fs.Name(), newProblem(err, "could not read the data in "+dir))
		return exitProblems
	}
	pending, err := db.Pending()
	if err != nil {
		report(stderr, getenv, fs.Name(), newProblem(err, "could not read the data in "+dir))
		return exitProblems
	}
	overdue := !st.NextDeletion.IsZero() && !st.NextDeletion.After(now())
	if *asJSON {
		out := statusJSON{
			DataDir:               dir,
			Clients:               st.Clients,
			Sessions:              st.Sessions,
			LiveRecordings:        st.LiveRecordings,
			DeletedRecordings:     st.DeletedRecordings,
			InterruptedRecordings: st.Interrupted,
			Overdue:               overdue,
			BytesOnDisk:           st.BytesOnDisk,
			RecordingFiles:        st.RecordingFilesSeen,
			SchemaVersion:         st.SchemaVersion,
			FormatVersion:         st.FormatVersion,
			PassphraseSet:         st.HasVault,
			AuditRows:             st.AuditRows,
			OwedSteps:             st.Owed,
			NotInBackup:           st.FilesMissing,
			WithdrawnRecordings:   orEmpty(pending.Withdrawn),
			OrphanFiles:           orEmpty(pending.Orphans),
			LeftoverFiles:         pending.Leftovers,
			LoosePermissions:      orEmpty(pending.Permissions),
			CacheDirTagMissing:    pending.NoCacheDirTag,
		}
		if !st.NextDeletion.IsZero() {
			t := st.NextDeletion.UTC()
			out.NextDeletion = &t
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			report(stderr, getenv, fs.Name(), newProblem(err, "could not write the status"))
			return exitProblems
		}
		return exitOK
	}
	printStatus(stdout, dir, st, overdue, now())
	for _, line := range append(atNextStart(pending), orphanSentence(pending)) {
		if line != "" {
			fmt.Fprintln(stdout, line)
		}
	}
	return exitOK
}

// orEmpty makes a nil list an empty one, so that JSON says [] not null.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func printStatus(w io.Writer, dir string, st storage.Status, overdue bool, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("Data folder", "%s", dir)
	row("Clients", "%d", st.Clients)
	row("Sessions", "%d", st.Sessions)
	row("Recordings", "%d kept, %d deleted", st.LiveRecordings, st.DeletedRecordings)
	if st.FilesMissing > 0 {
		row("Not in backup", "%s whose file is not in the data folder (recordings are not in backups)", plural(st.FilesMissing, "recording"))
	}
	switch {
	case st.NextDeletion.IsZero():
		row("Next deletion", "none (no recording is kept)")
	case overdue:
		row("Next deletion", "%s, already due: run 'assent purge'", showTime(st.NextDeletion))
	default:
		row("Next deletion", "%s", showTime(st.NextDeletion))
	}
	row("On disk", "%s (database and %s)", humanBytes(st.BytesOnDisk), plural(st.RecordingFilesSeen, "recording file"))
	row("Schema version", "%d", st.SchemaVersion)
	row("File format", "%d", st.FormatVersion)
	if st.HasVault {
		row("Passphrase", "set")
	} else {
		row("Passphrase", "not set up yet")
	}
	if st.AuditHead != "" {
		row("Audit log", "%s, head %s (note it to compare later: receipts print it too)", plural(int(st.AuditRows), "entry"), st.AuditHead)
	} else {
		row("Audit log", "%s", plural(int(st.AuditRows), "entry"))
	}
	if !st.LatestSeen.IsZero() {
		row("Latest time seen", "%s", showTime(st.LatestSeen))
		if now.Before(st.LatestSeen.Add(-storage.ClockTolerance)) {
			row("Clock", "this computer's clock reads %s, more than a day before the latest time seen: recordings cannot be played until it is set right; deletions go by the latest time seen", showTime(now))
		}
	}
	tw.Flush()
}

// humanBytes is a size in B, kB, MB or GB (powers of 1000, as file managers
// show them).
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), 0
	for f >= unit && i < 3 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", f, []string{"B", "kB", "MB", "GB"}[i])
}
