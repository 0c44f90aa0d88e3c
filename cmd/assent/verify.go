package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/assent-recorder/assent/storage"
)

const verifyHelp = `Usage: assent verify [--passphrase-file FILE] [--data DIR]

Checks that nothing kept by Assent was altered or damaged:

  - the audit log: every entry still fits the hash chain, none was changed,
    removed or reordered (needs no passphrase);
  - with the passphrase, every kept recording: each chunk of its file is
    authenticated, so a changed, missing, reordered or cut-off part is found;
    its deletion date, session and purposes in the database are compared
    with those sealed with its key and with the audit log (a date moved
    later or a purpose added by hand is named; the sealed ones stay in
    force);
  - with the passphrase, the consent data (none put there by hand) and the
    audit log's keyed anchor (entries removed from its end, or forged
    after it).

The passphrase is asked for when the command runs in a terminal (it is not
shown as you type; press Enter alone to check the audit log only), or read
from the first line of FILE ('-' for standard input). It is only checked:
nothing is written, not even to the audit log, and a wrong one is not
counted towards the wait that follows repeated wrong passphrases in the app.

Each problem is reported with the recording's ID or the audit entry's
number. Nothing is repaired and nothing in the data folder changes: what
the next start of Assent (or 'assent purge') would do is said instead. A
recording file the database holds no record of (and so no key for) is
reported as a problem, because the database lost something; the next start
removes it. A recording whose file is not in the data folder (a database
restored from a backup: recordings are not in backups) is listed, not
counted as a problem. May run while Assent is open; a recording being made
is skipped.

Exit status: 0 no problem found, 1 problems found (or the check could not
run), 2 wrong usage.
`

// runVerify is `assent verify`. stdin is where a passphrase is asked for.
func runVerify(args []string, getenv func(string) string, now func() time.Time, stdin *os.File, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", stderr)
	data := dataFlag(fs)
	passFile := fs.String("passphrase-file", "", "read the passphrase from the first line of `FILE` ('-': standard input)")
	dir, code, ok := parseCommand(fs, args, verifyHelp, data, getenv, stdout, stderr)
	if !ok {
		return code
	}
	db, err := openReadOnly(dir, now)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return exitProblems
	}
	defer db.Close()

	problems := 0
	problem := func(format string, a ...any) {
		problems++
		fmt.Fprintf(stdout, "  problem: "+format+"\n", a...)
	}

	st, err := db.Status()
	if err != nil {
		report(stderr, getenv, fs.Name(), newProblem(err, "could not read the database"))
		return exitProblems
	}
	fmt.Fprintf(stdout, "Audit log: %s.\n", plural(int(st.AuditRows), "entry"))
	var ae *storage.AuditError
	switch err := db.VerifyAudit(); {
	case err == nil:
		fmt.Fprintln(stdout, "  the hash chain is intact.")
	case errors.As(err, &ae):
		problem("audit entry %d: %s.", ae.Row, ae.Problem)
	default:
		report(stderr, getenv, fs.Name(), newProblem(err, "could not read the audit log"))
		return exitProblems
	}

	pending, err := db.Pending()
	if err != nil {
		report(stderr, getenv, fs.Name(), newProblem(err, "could not read the data in "+dir))
		return exitProblems
	}
	fmt.Fprintf(stdout, "Recordings: %d kept.\n", st.LiveRecordings)
	if st.FilesMissing > 0 {
		fmt.Fprintf(stdout, "  %s not in the backup: the file is not in the data folder (recordings are not in backups).\n", plural(st.FilesMissing, "recording"))
	}
	for _, name := range pending.Orphans {
		problem("file %s has no record in the database: the database lost it, and the file's key with it, so nobody can play it.", name)
	}
	if s := orphanSentence(pending); s != "" {
		fmt.Fprintln(stdout, "  "+s)
	}
	if err := pending.OrphanProblem; err != nil {
		problem("%v.", err)
	}
	pass, err := passphrase(*passFile, stdin, stderr)
	defer clear(pass)
	switch {
	case err != nil:
		report(stderr, getenv, fs.Name(), err)
		return exitProblems
	case len(pass) == 0 && (stdin == nil || !isTerminal(stdin)):
		fmt.Fprintln(stdout, "  not checked: no passphrase (run in a terminal, or give --passphrase-file).")
	case len(pass) == 0:
		fmt.Fprintln(stdout, "  not checked: no passphrase given.")
	default:
		verifyRecordings(db, string(pass), pending, stdout, problem)
	}

	for _, line := range atNextStart(pending) {
		fmt.Fprintln(stdout, line)
	}
	if problems == 0 {
		fmt.Fprintln(stdout, "No problems found.")
		return exitOK
	}
	fmt.Fprintf(stdout, "%s found.\n", plural(problems, "problem"))
	return exitProblems
}

// verifyRecordings checks the passphrase (writing nothing) and
// authenticates every chunk of every kept recording, calling problem for
// each problem.
func verifyRecordings(db *storage.ReadOnlyDB, pass string, pending storage.Pending, stdout io.Writer, problem func(string, ...any)) {
	if err := db.Unlock(pass); err != nil {
		problem("%s: the recordings were not checked.", explain(err, "could not unlock"))
		return
	}
	defer db.Lock()
	recs, err := liveRecordings(db)
	if err != nil {
		problem("%s.", explain(err, "could not list the recordings"))
		return
	}
	checked := 0
	for _, r := range recs {
		switch {
		case r.State == storage.StateRecording && slices.Contains(pending.Interrupted, r.ID):
			fmt.Fprintf(stdout, "  unfinished: recording %s was left unfinished by a crash; it is recovered at the next unlock in Assent.\n", r.ID)
			continue
		case r.State == storage.StateRecording:
			fmt.Fprintf(stdout, "  skipped: recording %s is being made.\n", r.ID)
			continue
		case r.FileMissing:
			fmt.Fprintf(stdout, "  not in the backup: recording %s: its file is not in the data folder (recordings are not in backups).\n", r.ID)
			continue
		}
		err := db.VerifyRecording(r.ID)
		if errors.Is(err, storage.ErrDeleted) || errors.Is(err, storage.ErrNotFinished) {
			continue // deleted or restarted meanwhile, by the app or a purge
		}
		if errors.Is(err, storage.ErrNotInBackup) {
			fmt.Fprintf(stdout, "  not in the backup: recording %s: its file is not in the data folder (recordings are not in backups).\n", r.ID)
			continue // removed meanwhile
		}
		checked++
		if err != nil {
			problem("recording %s: %s.", r.ID, recordingProblem(err))
		}
	}
	fmt.Fprintf(stdout, "  %s checked chunk by chunk.\n", plural(checked, "recording"))
	// What the database says against what is sealed under the key: each
	// recording's date, session and purposes, the consent data, and the
	// audit log's anchor.
	for _, check := range []struct {
		what string
		run  func() ([]storage.Finding, error)
	}{
		{"the sealed terms of the recordings", db.VerifyTerms},
		{"the consent data", db.VerifyConsentData},
		{"the audit log's anchor", db.VerifyAuditAnchor},
	} {
		findings, err := check.run()
		if err != nil {
			problem("%s: %s were not checked.", explain(err, "could not check"), check.what)
			continue
		}
		for _, f := range findings {
			problem("%s.", f)
		}
	}
}

// liveRecordings lists every recording not deleted, of every session of
// every client (archived ones included).
func liveRecordings(db *storage.ReadOnlyDB) ([]storage.Recording, error) {
	clients, err := db.Clients()
	if err != nil {
		return nil, err
	}
	var out []storage.Recording
	for _, c := range clients {
		sessions, err := db.Sessions(c.ID)
		if err != nil {
			return nil, err
		}
		for _, s := range sessions {
			recs, err := db.Recordings(s.ID)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				if r.State != storage.StateDeleted {
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}

var chunkIndex = regexp.MustCompile(`chunk (\d+)`)

// recordingProblem says in words what VerifyRecording found.
func recordingProblem(err error) string {
	where := ""
	if m := chunkIndex.FindStringSubmatch(err.Error()); m != nil {
		where = " (at chunk " + m[1] + ")"
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "its file is missing"
	case errors.Is(err, storage.ErrTruncated):
		return "its file is cut short" + where
	case errors.Is(err, storage.ErrUnsupportedFormat):
		return "its file is in a format this version of Assent does not know"
	case errors.Is(err, storage.ErrTampered):
		return "its file was altered or is damaged" + where
	}
	return explain(err, "its file could not be read")
}

// passphrase reads the passphrase from file ("-" for stdin), or asks for it
// on the terminal without echo. Nothing (and no error) when there is no way
// to ask.
func passphrase(file string, stdin *os.File, stderr io.Writer) ([]byte, error) {
	switch {
	case file == "-":
		p, err := readLine(stdin)
		if err != nil || len(p) == 0 {
			return nil, newProblem(err, "there was no passphrase on standard input")
		}
		return p, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, newProblem(err, "could not read the passphrase file")
		}
		defer clear(b)
		line, _, _ := bytes.Cut(b, []byte("\n"))
		if line = bytes.TrimSuffix(line, []byte("\r")); len(line) == 0 {
			return nil, fmt.Errorf("the passphrase file %s is empty", file)
		}
		return bytes.Clone(line), nil
	case stdin != nil && isTerminal(stdin):
		fmt.Fprint(stderr, "Passphrase (to check the recordings; Enter alone skips them): ")
		p, err := readSecret(stdin)
		fmt.Fprintln(stderr)
		if err != nil {
			return nil, newProblem(err, "could not read the passphrase")
		}
		return p, nil
	}
	return nil, nil
}

// readLine reads up to a newline, one byte at a time so that nothing after
// it is consumed, and drops the newline (and a carriage return before it).
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n > 0 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if err == io.EOF && len(line) > 0 {
			break
		}
		if err != nil {
			clear(line)
			return nil, err
		}
	}
	return bytes.TrimSuffix(line, []byte("\r")), nil
}
