// Command assent is the Assent desktop app: it records therapy sessions only
// with the client's on-screen assent for that session.
//
// Usage:
//
//	assent [--data DIR]                          start the app (the default)
//	assent purge [--dry-run] [--data DIR]        delete the recordings that are due
//	assent status [--json] [--data DIR]          what the data folder holds
//	assent verify [--passphrase-file F] [--data DIR]
//	                                             check the audit log and the recordings
//	assent schedule install|remove|show [--data DIR]
//	                                             run purge every hour from the OS
//	assent version, assent --version             print the version and commit
//	assent help [COMMAND]                        this text, or a command's
//
// Exit status: 0 fine, 1 problems found, 2 wrong usage.
//
// The data folder is, in order: --data DIR, $ASSENT_DATA,
// $XDG_DATA_HOME/assent, ~/.local/share/assent. It is created with mode 0700.
//
// Two opt-in variables measure the running app (make bench uses them; see
// diag.go): ASSENT_CPUPROFILE=FILE writes a CPU profile of the run, and
// ASSENT_COUNTS=FILE has the app write its number of goroutines to FILE
// on SIGUSR1. Neither opens a network port or writes anything of the
// practice.
//
// This file only wires: it parses flags, opens storage and hands a Fyne app
// and window to package app.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	// Sets LANGUAGE=C under LANG=C.UTF-8 and the like before Fyne's lang
	// package initialises, so Fyne does not log "Error parsing user locale
	// C" on every run. Must stay a blank import; see its package comment.
	_ "github.com/assent-recorder/assent/internal/posixlocale"
)

// Version is Assent's version; FyneApp.toml carries the same (a test checks).
const Version = "0.1.0"

// appID is the reverse-DNS identity Fyne uses for preferences and desktop
// integration; FyneApp.toml carries the same.
const appID = "org.assent.recorder"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Exit codes, as the subcommands document them.
const (
	exitOK       = 0
	exitProblems = 1
	exitUsage    = 2
)

// run is main without the process: it returns the exit code.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "gui"
	if len(args) > 0 && !isFlag(args[0]) {
		cmd, args = args[0], args[1:]
	}
	if len(args) > 0 && cmd == "gui" && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		cmd, args = "help", nil
	}
	if len(args) > 0 && cmd == "gui" && (args[0] == "-version" || args[0] == "--version") {
		cmd, args = "version", nil
	}
	if cmd == "help" && len(args) > 0 && args[0] != "gui" { // assent help purge
		cmd, args = args[0], []string{"--help"}
	}
	switch cmd {
	case "gui":
		return runGUI(args, getenv, stderr)
	case "purge":
		return runPurge(args, getenv, time.Now, stdout, stderr)
	case "status":
		return runStatus(args, getenv, time.Now, stdout, stderr)
	case "verify":
		return runVerify(args, getenv, time.Now, os.Stdin, stdout, stderr)
	case "schedule":
		return runSchedule(args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "assent %s\n", versionText())
		return exitOK
	case "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "assent: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

const usage = `Assent records therapy sessions only with the client's assent, given on
screen for that session, and deletes every recording on the date shown.

Usage:
  assent [--data DIR]                    start the app
  assent purge [--dry-run]               delete the recordings whose deletion date has come
  assent status [--json]                 what the data folder holds (no passphrase, no names)
  assent verify [--passphrase-file F]    check the audit log and, with the passphrase,
                                         every recording
  assent schedule install|remove|show    have the computer run 'assent purge' every hour
  assent version                         print the version and the commit it was
                                         built from (also: assent --version)
  assent help [COMMAND]                  show this text, or what COMMAND does

Every command takes --data DIR and --help. Exit status: 0 fine, 1 problems
found (said on stderr or in the report), 2 wrong usage.

The data folder is --data DIR, or $ASSENT_DATA, or $XDG_DATA_HOME/assent,
or ~/.local/share/assent. The app creates it readable by you alone (mode
0700); the other commands never create it.
`

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' }

// dataFlag adds --data to fs and returns where its value lands.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", "", "the practice's data `folder` (default $ASSENT_DATA, else $XDG_DATA_HOME/assent)")
}

// newFlagSet returns a flag set for cmd that prints its usage to stderr.
func newFlagSet(cmd string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("assent "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// dataDir resolves the data folder from the flag and the environment.
func dataDir(flagValue string, getenv func(string) string) (string, error) {
	switch {
	case flagValue != "":
		return filepath.Abs(flagValue)
	case getenv("ASSENT_DATA") != "":
		return filepath.Abs(getenv("ASSENT_DATA"))
	case getenv("XDG_DATA_HOME") != "":
		return filepath.Join(getenv("XDG_DATA_HOME"), "assent"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", errors.New("no data folder: set --data, ASSENT_DATA or HOME")
		}
	}
	return filepath.Join(home, ".local", "share", "assent"), nil
}
