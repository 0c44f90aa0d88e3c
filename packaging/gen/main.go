// Command gen writes the files of the Debian package that come from the
// code rather than being kept by hand, so that they cannot drift from it:
//
//	gen units DIR       the systemd user units of the hourly purge, as
//	                    internal/schedule writes them (PackagedUnits), for
//	                    /usr/bin/assent, into DIR
//	gen man ASSENT      the man page assent.1 on stdout, made from what the
//	                    binary ASSENT prints for `help` and `COMMAND --help`
//
// packaging/deb.sh runs it; lintian, in make package-test, checks the man
// page it makes.
package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/assent-recorder/assent/internal/schedule"
)

// installedExe is where the package puts the binary.
const installedExe = "/usr/bin/assent"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 2 && args[0] == "units":
		service, timer := schedule.PackagedUnits(installedExe)
		for name, text := range map[string]string{".service": service, ".timer": timer} {
			if err := os.WriteFile(filepath.Join(args[1], schedule.UnitName+name), []byte(text), 0o644); err != nil {
				return err
			}
		}
		return nil
	case len(args) == 2 && args[0] == "man":
		page, err := manPage(func(a ...string) (string, error) {
			out, err := exec.Command(args[1], a...).Output()
			if err != nil {
				return "", fmt.Errorf("%s %s: %w", args[1], strings.Join(a, " "), err)
			}
			return string(out), nil
		})
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, page)
		return err
	}
	return fmt.Errorf("usage: gen units DIR | gen man ASSENT")
}

// commandLine is a line of the usage text that names a command:
// "  assent purge [--dry-run]   what it does".
var commandLine = regexp.MustCompile(`^  assent ([a-z]+)\b`)

// manPage is assent.1 in roff, from what the binary prints (run runs it
// with the given arguments): NAME from the first sentence of `assent help`,
// SYNOPSIS its usage lines, DESCRIPTION its other paragraphs, and a
// section per command from `assent COMMAND --help`.
func manPage(run func(args ...string) (string, error)) (string, error) {
	help, err := run("help")
	if err != nil {
		return "", err
	}
	version, err := run("version")
	if err != nil {
		return "", err
	}
	paras := strings.Split(strings.TrimSpace(help), "\n\n")
	intro, ok := strings.CutPrefix(strings.Join(strings.Fields(paras[0]), " "), "Assent ")
	if !ok || len(paras) < 2 || !strings.HasPrefix(paras[1], "Usage:") {
		return "", fmt.Errorf("`assent help` no longer starts with \"Assent …\" and a Usage: block:\n%s", help)
	}
	var b strings.Builder
	fmt.Fprintf(&b, ".TH ASSENT 1 \"\" \"%s\" \"User Commands\"\n", roff(strings.TrimSpace(version)))
	b.WriteString(".SH NAME\nassent \\- " + roff(strings.TrimSuffix(intro, ".")) + "\n")
	b.WriteString(".SH SYNOPSIS\n")
	var commands []string
	usage := strings.Split(paras[1], "\n")[1:]
	b.WriteString(".nf\n")
	for _, line := range usage {
		b.WriteString(roffLine(strings.TrimPrefix(line, "  ")) + "\n")
		if m := commandLine.FindStringSubmatch(line); m != nil && m[1] != "help" && m[1] != "version" {
			commands = append(commands, m[1])
		}
	}
	b.WriteString(".fi\n.SH DESCRIPTION\n")
	for _, p := range append(paras[:1:1], paras[2:]...) {
		b.WriteString(".PP\n" + roffLine(strings.Join(strings.Fields(p), " ")) + "\n")
	}
	if len(commands) == 0 {
		return "", fmt.Errorf("`assent help` names no command")
	}
	b.WriteString(".SH COMMANDS\n")
	for _, c := range commands {
		text, err := run(c, "--help")
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, ".SS %s\n.nf\n", roff("assent "+c))
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			b.WriteString(roffLine(line) + "\n")
		}
		b.WriteString(".fi\n")
	}
	b.WriteString(`.SH FILES
.TP
.I ~/.local/share/assent
The data folder (see DESCRIPTION for where else it may be).
.TP
.I /usr/lib/systemd/user/assent\-purge.timer
The hourly purge of the default data folder, off until turned on with
.B systemctl \-\-user enable \-\-now assent\-purge.timer
(or use
.BR "assent schedule install" ).
.SH SEE ALSO
.BR systemctl (1),
.BR loginctl (1)
`)
	return b.String(), nil
}

// roff escapes text for roff: backslashes, and hyphens as minus signs
// (they are options and paths that are copied).
func roff(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}

// roffLine is roff for a whole line, which must not start with a control
// character.
func roffLine(s string) string {
	s = roff(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
