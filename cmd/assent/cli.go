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

// openData opens the practice's data folder for a subcommand that needs an
// existing one: a folder without a database is reported, never created
// (a mistyped --data must not look like an empty practice).
func openData(flagValue string, getenv func(string) string, now func() time.Time) (*storage.DB, string, error) {
	dir, err := dataDir(flagValue, getenv)
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(filepath.Join(dir, storage.DBFile)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, dir, fmt.Errorf("there is no Assent data in %s (start Assent once, or give --data DIR)", dir)
		}
		return nil, dir, newProblem(err, "could not read "+dir)
	}
	db, err := storage.Open(dir, storage.Options{Now: now})
	if err != nil {
		return nil, dir, newProblem(err, "could not open the data in "+dir)
	}
	return db, dir, nil
}

// openCommand parses a command's arguments (its flags defined on fs; data
// is --data's flag, read once parsed) and opens the data folder. When ok is false the
// command exits with code; what went wrong has been said on stderr.
func openCommand(fs *flag.FlagSet, args []string, help string, data *string, getenv func(string) string, now func() time.Time,
	stdout, stderr io.Writer) (db *storage.DB, dir string, code int, ok bool) {
	if code, ok := parseArgs(fs, args, help, stdout, stderr); !ok {
		return nil, "", code, false
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return nil, "", code, false
	}
	db, dir, err := openData(*data, getenv, now)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return nil, dir, exitProblems, false
	}
	return db, dir, exitOK, true
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
