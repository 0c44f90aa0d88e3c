package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/assent-recorder/assent/storage"
)

// parseArgs parses a subcommand's flags. --help prints help (a description
// ending in a newline) and the flags to stdout; ok false means return code.
// A wrong flag or a missing value is a usage error, said in one sentence.
func parseArgs(fs *flag.FlagSet, args []string, help string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard) // errors are worded below; help goes to stdout
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help)
		if hasFlags(fs) {
			fmt.Fprintln(stdout, "\nOptions:")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return exitOK, false
	default:
		usageError(stderr, fs.Name(), err.Error())
		return exitUsage, false
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// usageError says what was wrong with the command line and where help is.
func usageError(stderr io.Writer, cmd, problem string) {
	fmt.Fprintf(stderr, "%s: %s\nRun '%s --help' for how to use it.\n", cmd, problem, cmd)
}

// noArgs refuses positional arguments for subcommands that take none.
func noArgs(fs *flag.FlagSet, stderr io.Writer) (code int, ok bool) {
	if fs.NArg() > 0 {
		usageError(stderr, fs.Name(), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
		return exitUsage, false
	}
	return exitOK, true
}

// existingData resolves the data folder of a subcommand that needs an
// existing one: a folder without a database is reported, never created
// (a mistyped --data must not look like an empty practice).
func existingData(flagValue string, getenv func(string) string) (string, error) {
	dir, err := dataDir(flagValue, getenv)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, storage.DBFile)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return dir, fmt.Errorf("there is no Assent data in %s (start Assent once, or give --data DIR)", dir)
		}
		return dir, newProblem(err, "could not read "+dir)
	}
	return dir, nil
}

// openData opens the data folder for a subcommand that changes it
// (`assent purge`): as the app does, finishing what a crash left.
func openData(dir string, now func() time.Time) (*storage.DB, error) {
	db, err := storage.Open(dir, storage.Options{Now: now})
	if err != nil {
		return nil, newProblem(err, "could not open the data in "+dir)
	}
	return db, nil
}

// openReadOnly opens the data folder for a subcommand that only looks
// (`assent status`, `verify`, `purge --dry-run`): nothing in it changes.
func openReadOnly(dir string, now func() time.Time) (*storage.ReadOnlyDB, error) {
	db, err := storage.OpenReadOnly(dir, storage.Options{Now: now})
	if err != nil {
		return nil, newProblem(err, "could not read the data in "+dir)
	}
	return db, nil
}

// parseCommand parses a command's arguments (its flags defined on fs;
// data is --data's flag, read once parsed) and finds its data folder,
// which must hold a database. When ok is false the command exits with
// code; what went wrong has been said on stderr.
func parseCommand(fs *flag.FlagSet, args []string, help string, data *string, getenv func(string) string,
	stdout, stderr io.Writer) (dir string, code int, ok bool) {
	if code, ok := parseArgs(fs, args, help, stdout, stderr); !ok {
		return "", code, false
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return "", code, false
	}
	dir, err := existingData(*data, getenv)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return dir, exitProblems, false
	}
	return dir, exitOK, true
}

// tellOrphans says, on stderr (the journal, for the hourly purge), which
// recording files opening the data removed for want of a record, and which
// it left because the database is damaged. `assent verify` reports both as
// problems instead.
func tellOrphans(db *storage.DB, cmd string, stderr io.Writer) {
	for _, name := range db.RemovedOrphans() {
		fmt.Fprintf(stderr, "assent %s: removed %s/%s: the database had no record of it (nor its key), so nobody could play it (see the audit log).\n", cmd, storage.RecordingsDir, name)
	}
	if err := db.OrphanProblem(); err != nil {
		fmt.Fprintf(stderr, "assent %s: %v; run `assent verify`.\n", cmd, err)
	}
}

// atNextStart says, one sentence a line, what the next start (of Assent,
// or of `assent purge`: each opens the folder read-write) and the next
// unlock would change that a read-only command left as it was. Recording
// files without a record are said by the caller (verify counts them as
// problems).
func atNextStart(p storage.Pending) []string {
	var out []string
	say := func(n int, one, many, rest string) {
		switch {
		case n == 1:
			out = append(out, one+" "+rest)
		case n > 1:
			out = append(out, fmt.Sprintf("%d %s %s", n, many, rest))
		}
	}
	say(len(p.Withdrawn), "1 withdrawn recording", "withdrawn recordings", "will be erased at the next start.")
	say(p.Owed, "1 owed step", "owed steps", "will be finished at the next start.")
	say(p.Leftovers, "1 file of a deleted recording", "files of deleted recordings", "will be removed at the next start.")
	say(len(p.Interrupted), "1 recording left unfinished by a crash", "recordings left unfinished by a crash",
		"will be recovered at the next unlock in Assent.")
	if len(p.Permissions) > 0 {
		out = append(out, "Other users' access to "+strings.Join(p.Permissions, ", ")+" will be taken away at the next start.")
	}
	if p.NoCacheDirTag {
		out = append(out, "The recordings folder will be marked to stay out of backups (CACHEDIR.TAG) at the next start.")
	}
	return out
}

// orphanSentence says what the next start does with recording files
// that the database has no record of.
func orphanSentence(p storage.Pending) string {
	switch {
	case len(p.Orphans) == 0:
		return ""
	case p.OrphanProblem != nil:
		return plural(len(p.Orphans), "recording file") + " without a record will be left as they are at the next start: the database fails its integrity check."
	case len(p.Orphans) == 1:
		return "1 recording file without a record will be removed at the next start."
	}
	return plural(len(p.Orphans), "recording file") + " without a record will be removed at the next start."
}

// problem is an error worded for a person (Error) that keeps the error it
// explains (Unwrap), for ASSENT_DEBUG.
type problem struct {
	sentence string
	err      error
}

func (p *problem) Error() string { return p.sentence }
func (p *problem) Unwrap() error { return p.err }

// newProblem words err in one sentence; context says what was being done.
func newProblem(err error, context string) *problem {
	return &problem{sentence: explain(err, context), err: err}
}

// explain turns an error from storage or the OS into one sentence for a
// person, never a raw SQL or driver message; what is the matter when the
// error is not one we know is said by context. ASSENT_DEBUG=1 adds the
// detail (see report).
func explain(err error, context string) string {
	var retry *storage.RetryError
	var unsafe *storage.UnsafeError
	var se *sqlite.Error
	switch {
	case errors.As(err, &retry):
		return fmt.Sprintf("too many wrong passphrases in a row: try again in %s", retry.Wait.Round(time.Second))
	case errors.Is(err, storage.ErrWrongPassphrase):
		return "wrong passphrase"
	case errors.Is(err, storage.ErrNoVault):
		return "no passphrase has been set up yet: start Assent once to set one up"
	case errors.Is(err, storage.ErrNewerSchema):
		return context + ": the data was written by a newer version of Assent; install that version (or later)"
	case errors.Is(err, storage.ErrCorrupt):
		return context + ": the database file is damaged or is not an Assent database"
	case errors.As(err, &unsafe):
		return fmt.Sprintf("%s: %s %s; Assent keeps its data only where no other user can reach it", context, unsafe.Path, unsafe.Problem)
	case errors.Is(err, storage.ErrWouldChange):
		return context + ": it must first be brought up to date, which this command does not do (it changes nothing); start Assent, or run 'assent purge', once, then try again"
	case errors.Is(err, storage.ErrNotInBackup):
		return context + ": its file is not in the data folder (not in the backup)"
	case errors.Is(err, fs.ErrPermission):
		return context + ": permission denied"
	case errors.As(err, &se) && (se.Code()&0xff == 5 || se.Code()&0xff == 6): // SQLITE_BUSY, SQLITE_LOCKED
		return context + ": the database stayed busy (another Assent is writing to it); try again in a moment"
	case errors.As(err, &se) && se.Code()&0xff == 13: // SQLITE_FULL
		return context + ": the disk is full"
	case errors.Is(err, storage.ErrClosed):
		return context + ": the database was closed"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %s %s", context, pe.Err, pe.Path)
	}
	return context
}

// report prints a problem as one sentence, prefixed by the command; with
// ASSENT_DEBUG=1 the error it explains follows on a second line, for a bug
// report.
func report(stderr io.Writer, getenv func(string) string, cmd string, err error) {
	fmt.Fprintf(stderr, "%s: %s.\n", cmd, strings.TrimSuffix(err.Error(), "."))
	var p *problem
	if errors.As(err, &p) && p.err != nil && getenv("ASSENT_DEBUG") == "1" {
		fmt.Fprintf(stderr, "  detail: %v\n", p.err)
	}
}

// Times are shown in the local zone (TZ), to the minute, with the zone's
// abbreviation, so a scheduler log read later is unambiguous.
const timeLayout = "2006-01-02 15:04 MST"

func showTime(t time.Time) string { return t.Local().Format(timeLayout) }

// plural returns "1 recording", "2 recordings", "3 entries".
func plural(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case strings.HasSuffix(word, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
