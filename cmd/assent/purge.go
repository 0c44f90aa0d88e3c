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

Opening the data folder also finishes what a crash or a busy moment left
undone, as the app's start does: withdrawn recordings are erased, owed
steps finished, recording files that the database has no record of
removed (each said on stderr), and the folder's permissions tightened.

With --dry-run, it lists what is due and what the next real run (or start
of Assent) would change, and changes nothing at all.

Exit status: 0 done (also when nothing was due), 1 a problem (said on
stderr), 2 wrong usage.
`

// runPurge is `assent purge`. now is the clock (time.Now outside tests).
func runPurge(args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlagSet("purge", stderr)
	data := dataFlag(fs)
	dryRun := fs.Bool("dry-run", false, "list what is due for deletion; delete nothing")
	dir, code, ok := parseCommand(fs, args, purgeHelp, data, getenv, stdout, stderr)
	if !ok {
		return code
	}
	if *dryRun {
		return dryRunPurge(dir, getenv, now, stdout, stderr)
	}
	db, err := openData(dir, now)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return exitProblems
	}
	defer db.Close()
	tellOrphans(db, fs.Name(), stderr)

	ds, err := db.Purge(now())
	printDeletions(stdout, db, ds)
	recordPurgeRun(*data, getenv, *dryRun, now(), len(ds), err, stderr)
	if err != nil {
		if len(ds) > 0 {
			fmt.Fprintf(stdout, "Deleted %s; the others that are due are deleted at the next run.\n", plural(len(ds), "recording"))
		}
		report(stderr, getenv, fs.Name(), newProblem(err, "could not delete the recordings that are due"))
		return exitProblems
	}
	if len(ds) == 0 {
		fmt.Fprintln(stdout, "No recording is due for deletion.")
	} else {
		fmt.Fprintf(stdout, "Deleted %s.\n", plural(len(ds), "recording"))
	}
	if err := db.Close(); err != nil {
		report(stderr, getenv, fs.Name(), newProblem(err, "could not close the database"))
		return exitProblems
	}
	return exitOK
}

// dryRunPurge is `assent purge --dry-run`: it opens the folder read-only,
// lists what is due and says what the real run would also change.
func dryRunPurge(dir string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	const name = "assent purge"
	db, err := openReadOnly(dir, now)
	if err != nil {
		report(stderr, getenv, name, err)
		return exitProblems
	}
	defer db.Close()
	ds, err := db.DueForDeletion(now())
	if err != nil {
		report(stderr, getenv, name, newProblem(err, "could not read the recordings that are due"))
		return exitProblems
	}
	pending, err := db.Pending()
	if err != nil {
		report(stderr, getenv, name, newProblem(err, "could not read the data in "+dir))
		return exitProblems
	}
	printDeletions(stdout, db, ds)
	if len(ds) == 0 {
		fmt.Fprintln(stdout, "No recording is due for deletion.")
	} else {
		fmt.Fprintf(stdout, "%s due for deletion.\n", plural(len(ds), "recording"))
	}
	for _, line := range append(atNextStart(pending), orphanSentence(pending)) {
		if line != "" {
			fmt.Fprintln(stdout, line)
		}
	}
	fmt.Fprintln(stdout, "Dry run: nothing was changed.")
	return exitOK
}

// sessionReader looks up a session: a DB or a ReadOnlyDB.
type sessionReader interface {
	Session(id string) (storage.Session, error)
}

// printDeletions prints a table of recording ID, session date and deletion
// date: IDs only, never a client's label.
func printDeletions(w io.Writer, db sessionReader, ds []storage.Deletion) {
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
func sessionDate(db sessionReader, cache map[string]time.Time, d storage.Deletion) time.Time {
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
