package schedule

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
)

// macOS: a launchd agent in the user's GUI domain.

// PlistPath is where the launch agent is.
func (s *Scheduler) PlistPath() string {
	return filepath.Join(s.Home, "Library", "LaunchAgents", LaunchdLabel+".plist")
}

// launchdLog is where the agent's runs print to.
func (s *Scheduler) launchdLog() string {
	return filepath.Join(s.Home, "Library", "Logs", "assent-purge.log")
}

// domain is the user's GUI domain, gui/<uid>, and service the agent in it.
func (s *Scheduler) domain() string  { return "gui/" + s.UID }
func (s *Scheduler) service() string { return s.domain() + "/" + LaunchdLabel }

// plist is a launchd agent that runs the purge at load and every hour
// (launchd runs a StartInterval job missed during sleep when the Mac wakes).
func (s *Scheduler) plist() string {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- ` + writtenBy + ` -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>` + LaunchdLabel + `</string>
  <key>ProgramArguments</key>
  <array>
`)
	for _, a := range s.purgeArgs() {
		fmt.Fprintf(&b, "    <string>%s</string>\n", xmlEscape(a))
	}
	log := xmlEscape(s.launchdLog())
	fmt.Fprintf(&b, `  </array>
  <key>StartInterval</key>
  <integer>3600</integer>
  <key>RunAtLoad</key>
  <true/>
  <key>StandardOutPath</key>
  <string>%s</string>
  <key>StandardErrorPath</key>
  <string>%s</string>
</dict>
</plist>
`, log, log)
	return b.String()
}

// loggedInOnlyNote says what a per-user schedule cannot do on macOS and
// Windows.
const loggedInOnlyNote = "The hourly check runs while you are logged in to this computer; a recording due while nobody is logged in is deleted when you next log in."

func (s *Scheduler) installLaunchd(r Report) (Report, error) {
	path := s.PlistPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return r, fmt.Errorf("could not create %s: %w", filepath.Dir(path), err)
	}
	if err := writeFileAtomic(path, []byte(s.plist()), 0o644); err != nil {
		return r, fmt.Errorf("could not write %s: %w", path, err)
	}
	r.step("Wrote " + path)
	// An agent loaded before (perhaps for another binary) is replaced:
	// bootstrap refuses a label that is already loaded.
	s.run("launchctl", "bootout", s.service())
	bootstrap := []string{"bootstrap", s.domain(), path}
	out, err := s.run("launchctl", bootstrap...)
	if err != nil {
		// Older macOS, or no GUI domain (a login over ssh): the legacy
		// subcommand loads into whatever domain the caller has.
		if _, lerr := s.run("launchctl", "load", "-w", path); lerr != nil {
			return r, &NotStartedError{
				Step: typed("launchctl", bootstrap...), Output: firstLine(out, err), Err: err,
				Commands: []string{typed("launchctl", bootstrap...)},
			}
		}
		r.step("Loaded it with launchctl load -w: 'assent purge' runs now and every hour on " + s.DataDir + ".")
	} else {
		r.step("Loaded it into " + s.domain() + ": 'assent purge' runs now and every hour on " + s.DataDir + ", and on waking when a run was missed.")
	}
	r.note(loggedInOnlyNote)
	return r, nil
}

func (s *Scheduler) removeLaunchd() (Report, error) {
	var r Report
	path := s.PlistPath()
	_, loadedErr := s.run("launchctl", "print", s.service())
	if !exists(path) && loadedErr != nil {
		r.step("No schedule is installed (no " + path + ").")
		return r, nil
	}
	if loadedErr == nil {
		if out, err := s.run("launchctl", "bootout", s.service()); err != nil {
			if _, uerr := s.run("launchctl", "unload", "-w", path); uerr != nil {
				r.step(fmt.Sprintf("Note: 'launchctl bootout %s' failed (%s).", s.service(), firstLine(out, err)))
				r.note("The agent may still be loaded until you log out; stop it with: launchctl bootout " + s.service())
			}
		}
		r.step("Unloaded " + LaunchdLabel)
	}
	removed, err := removeIfThere(path)
	if err != nil {
		return r, fmt.Errorf("could not remove %s: %w", path, err)
	}
	if removed {
		r.step("Removed " + path)
	}
	return r, nil
}

func (s *Scheduler) statusLaunchd() Status {
	plist := readFile(s.PlistPath(), s.plist())
	st := Status{
		Installed: plist.Written,
		Current:   plist.Current,
		Where:     "the launch agent " + s.PlistPath(),
		Command:   s.Command(),
		Log:       s.launchdLog(),
		Files:     []File{plist},
	}
	out, err := s.run("launchctl", "print", s.service())
	st.Running = err == nil
	if plist.Written && !st.Running {
		st.Notes = append(st.Notes, "The launch agent is installed but not loaded: run launchctl bootstrap "+s.domain()+" "+shellQuote(s.PlistPath()))
		st.Details = append(st.Details, "launchctl print "+s.service()+": "+firstLine(out, err))
	}
	return st
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
