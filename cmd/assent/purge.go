package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/assent-recorder/assent/storage"
)

const purgeHelp = `Usage: assent purge [--dry-run] [--data DIR]

Deletes every recording whose deletion date has come: its key is destroyed,
so nothing of it can be decrypted any more, its file is removed, and it is
written to the audit log. What the client's record says about it (recorded,
how long, deleted when and why) stays. Notes are never deleted.

Prints one line per recording deleted (its ID, the date of its session and
its deletion date) and how many there were. Needs no passphrase, and may run
while Assent is open. The app purges by itself while it runs; 'assent
schedule install' runs this command every hour so that deletion happens on
the date shown even when the app is not open.

With --dry-run, it lists what is due and changes nothing.

Exit status: 0 done (also when nothing was due), 1 a problem (said on
stderr), 2 wrong usage.
`

// runPurge is `assent purge`. now is the clock (time.Now outside tests).
func runPurge(args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlagSet("purge", stderr)
	data := dataFlag(fs)
	dryRun := fs.Bool("dry-run", false, "list what is due for deletion; delete nothing")
	db, _, code, ok := openCommand(fs, args, purgeHelp, data, getenv, now, stdout, stderr)
	if !ok {
		return code
	}
	defer db.Close()
	tellOrphans(db, fs.Name(), stderr)

	var ds []storage.Deletion
	var err error
	if *dryRun {
		ds, err = db.DueForDeletion(now())
	} else {
		ds, err = db.Purge(now())
	}
	printDeletions(stdout, db, ds)
	recordPurgeRun(*data, getenv, *dryRun, now(), len(ds), err, stderr)
	if err != nil {
		if len(ds) > 0 {
			fmt.Fprintf(stdout, "Deleted %s; the others that are due are deleted at the next run.\n", plural(len(ds), "recording"))
		}
		report(stderr, getenv, fs.Name(), newProblem(err, "could not delete the recordings that are due"))
		return exitProblems
	}
	switch {
	case len(ds) == 0:
		fmt.Fprintln(stdout, "No recording is due for deletion.")
	case *dryRun:
		fmt.Fprintf(stdout, "%s due for deletion (dry run: nothing was deleted).\n", plural(len(ds), "recording"))
	default:
		fmt.Fprintf(stdout, "Deleted %s.\n", plural(len(ds), "recording"))
	}
	if err := db.Close(); err != nil {
		report(stderr, getenv, fs.Name(), newProblem(err, "could not close the database"))
		return exitProblems
	}
	return exitOK
}

// printDeletions prints a table of recording ID, session date and deletion
// date: IDs only, never a client's label.
func printDeletions(w io.Writer, db *storage.DB, ds []storage.Deletion) {
	if len(ds) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORDING\tSESSION\tDELETION DATE")
	sessions := make(map[string]time.Time)
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.RecordingID, showTime(sessionDate(db, sessions, d)), showTime(d.DeleteOn))
	}
	tw.Flush()
}

// sessionDate is when the recording's session began (the recording's own
// start if the session cannot be read), looked up once per session.
func sessionDate(db *storage.DB, cache map[string]time.Time, d storage.Deletion) time.Time {
	if t, ok := cache[d.SessionID]; ok {
		return t
	}
	t := d.StartedAt
	if s, err := db.Session(d.SessionID); err == nil {
		t = s.StartedAt
	}
	cache[d.SessionID] = t
	return t
}
