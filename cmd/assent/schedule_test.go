package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// `assent schedule` only wires package internal/schedule, whose tests run
// every OS's path with a fake runner. These run the real binary on Linux
// with fake systemctl and loginctl on PATH: systemctl --user cannot reach a
// user session here.

// fakeTool puts a program called name in the folder bin that logs its
// arguments to log, one line a run, and runs script (sh) for its answer.
func fakeTool(t *testing.T, bin, name, log, script string) {
	t.Helper()
	text := "#!/bin/sh\necho \"$@\" >> '" + log + "'\n" + script + "\n"
	if err := os.WriteFile(filepath.Join(bin, name), []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
}

// fakeSystemd puts on PATH a systemctl whose `show` says the timer is
// active and runs next on 7 January 2026 at 13:00 UTC and that does
// everything else, and a loginctl that says lingering is off and may not
// be turned on. It returns the PATH and the two logs.
func fakeSystemd(t *testing.T) (path, systemctlLog, loginctlLog string) {
	t.Helper()
	bin, logs := t.TempDir(), t.TempDir()
	systemctlLog, loginctlLog = filepath.Join(logs, "systemctl.log"), filepath.Join(logs, "loginctl.log")
	fakeTool(t, bin, "systemctl", systemctlLog, `case "$*" in *" show "*) echo ActiveState=active; echo NextElapseUSecRealtime=@1767790800;; esac`)
	fakeTool(t, bin, "loginctl", loginctlLog, `case "$*" in *show-user*) echo Linger=no;; *) echo 'Could not enable linger: Access denied'; exit 1;; esac`)
	return bin, systemctlLog, loginctlLog
}

// failingSystemctl puts on PATH a systemctl that prints output and exits 1.
func failingSystemctl(t *testing.T, output string) string {
	t.Helper()
	bin := t.TempDir()
	fakeTool(t, bin, "systemctl", filepath.Join(t.TempDir(), "log"), "echo '"+output+"'; exit 1")
	return bin
}

// readLog empties the log and returns what it held.
func readLog(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	os.Remove(log)
	return string(b)
}

// lastRunLine is how show says that a purge deleted one recording.
var lastRunLine = regexp.MustCompile(`(?m)^Last run: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(1 recording deleted\)$`)

// On Linux, install writes a systemd user timer and service that run this
// very binary's purge on the data folder, hourly and persistently, enables
// it, and says how to keep it running after logout; every purge records
// its run, which show says; remove undoes all of it.
func TestCLIScheduleLinux(t *testing.T) {
	p := newPractice(t)
	bin := assentBinary(t)
	pathDir, systemctlLog, loginctlLog := fakeSystemd(t)
	config := filepath.Join(t.TempDir(), "config")
	env := []string{"PATH=" + pathDir, "XDG_CONFIG_HOME=" + config, "USER=robin"}
	units := filepath.Join(config, "systemd", "user")
	service, timer := filepath.Join(units, "assent-purge.service"), filepath.Join(units, "assent-purge.timer")

	cli(t, env, "", "schedule", "show", "--data", p.dir).expect(t, exitOK, "Installed: no", "Last run: never",
		"--- "+timer+" (would be written by install)")
	readLog(t, systemctlLog)

	r := cli(t, env, "", "schedule", "install", "--data", p.dir)
	r.expect(t, exitOK, "Wrote "+service, "Wrote "+timer, "Enabled assent-purge.timer",
		"Note: The hourly check runs only while you are logged in", "run this command once (it may need an administrator): loginctl enable-linger robin")
	if strings.Contains(r.stdout+r.stderr, "Access denied") {
		t.Errorf("install shows loginctl's words:\n%s", r.stdout)
	}
	if got, want := readLog(t, systemctlLog), "--user daemon-reload\n--user enable --now assent-purge.timer\n"; got != want {
		t.Errorf("systemctl was run with\n%s\nwant\n%s", got, want)
	}
	if got, want := readLog(t, loginctlLog), "show-user robin --property=Linger\n--no-ask-password enable-linger robin\n"; got != want {
		t.Errorf("loginctl was run with\n%s\nwant\n%s", got, want)
	}
	unit, _ := os.ReadFile(service)
	if want := `ExecStart="` + bin + `" "purge" "--data" "` + p.dir + `"`; !strings.Contains(string(unit), want) {
		t.Errorf("service lacks %q:\n%s", want, unit)
	}

	// What the timer would run works, and is recorded.
	args := strings.Fields(strings.ReplaceAll(lineWith(string(unit), "ExecStart="), `"`, ""))
	if len(args) != 4 || args[0] != "ExecStart="+bin {
		t.Fatalf("ExecStart = %v", args)
	}
	cli(t, nil, "", args[1:]...).expect(t, exitOK, p.due, "Deleted 1 recording.")

	show := cli(t, env, "", "schedule", "show", "--data", p.dir)
	show.expect(t, exitOK, "Schedule: the systemd user timer assent-purge.timer ("+units+")",
		"Installed: yes, running; next run 2026-01-07 13:00 UTC", "Runs: "+bin+" purge --data "+p.dir,
		"--- "+timer, "OnCalendar=hourly", "What the runs printed: journalctl --user -u assent-purge.service",
		"Note: The hourly check runs only while you are logged in")
	if !lastRunLine.MatchString(show.stdout) {
		t.Errorf("show does not say the last run:\n%s", show.stdout)
	}
	if strings.Contains(show.stdout, "differs from") || strings.Contains(show.stdout, "would be written") {
		t.Errorf("show says the units are not what install writes:\n%s", show.stdout)
	}
	cli(t, env, "", "schedule", "show", "--data", t.TempDir()).
		expect(t, exitOK, "differs from what 'assent schedule install' would write now", "Last run: never")

	// As `systemctl enable` would have made it (the fake does not).
	wants := filepath.Join(units, "timers.target.wants", "assent-purge.timer")
	os.MkdirAll(filepath.Dir(wants), 0o755)
	os.Symlink(timer, wants)
	readLog(t, systemctlLog)
	cli(t, env, "", "schedule", "remove", "--data", p.dir).expect(t, exitOK, "Removed "+timer, "Removed "+service, "only while Assent is open")
	for _, f := range []string{timer, service, wants} {
		if _, err := os.Lstat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there: %v", f, err)
		}
	}
	if got, want := readLog(t, systemctlLog), "--user disable --now assent-purge.timer\n--user daemon-reload\n"; got != want {
		t.Errorf("systemctl was run with\n%s\nwant\n%s", got, want)
	}
	cli(t, env, "", "schedule", "remove", "--data", p.dir).expect(t, exitOK, "No schedule is installed")
}

// A dry run is not a run; a purge that deletes nothing is.
func TestCLIPurgeRecordsItsRun(t *testing.T) {
	p := newPractice(t)
	env := []string{"PATH=" + failingSystemctl(t, "Failed to connect to bus: No medium found")}
	cli(t, nil, "", "purge", "--dry-run", "--data", p.dir).expect(t, exitOK, "Dry run: nothing was changed.")
	cli(t, env, "", "schedule", "show", "--data", p.dir).expect(t, exitOK, "Last run: never",
		"Note: systemd could not be asked whether the timer runs", "Asked the system: systemctl --user show assent-purge.timer")
	cli(t, nil, "", "purge", "--data", p.dir).expect(t, exitOK, "Deleted 1 recording.")
	cli(t, nil, "", "purge", "--data", p.dir).expect(t, exitOK, "No recording is due")
	show := cli(t, env, "", "schedule", "show", "--data", p.dir)
	if !regexp.MustCompile(`(?m)^Last run: .* UTC \(0 recordings deleted\)$`).MatchString(show.stdout) {
		t.Errorf("show:\n%s", show.stdout)
	}
}

// Without systemctl, or without a user session for it to reach, install
// still writes the files, says exactly what to run, and exits 1.
func TestCLIScheduleWithoutSystemd(t *testing.T) {
	p := newPractice(t)
	config := filepath.Join(t.TempDir(), "config")
	units := filepath.Join(config, "systemd", "user")
	steps := []string{"What was done is listed above; in your desktop session, run:", "  systemctl --user daemon-reload", "  systemctl --user enable --now assent-purge.timer"}

	t.Run("no systemctl", func(t *testing.T) {
		r := cli(t, []string{"PATH=" + t.TempDir(), "XDG_CONFIG_HOME=" + config}, "", "schedule", "install", "--data", p.dir)
		r.expect(t, exitProblems, append([]string{"Wrote " + filepath.Join(units, "assent-purge.timer"), "assent schedule: systemctl was not found, so the schedule is not running yet."}, steps...)...)
		if _, err := os.Stat(filepath.Join(units, "assent-purge.timer")); err != nil {
			t.Errorf("timer not written: %v", err)
		}
	})
	t.Run("no user session", func(t *testing.T) {
		r := cli(t, []string{"PATH=" + failingSystemctl(t, "Failed to connect to bus: No medium found"), "XDG_CONFIG_HOME=" + config}, "", "schedule", "install", "--data", p.dir)
		r.expect(t, exitProblems, append([]string{"'systemctl --user daemon-reload' failed (Failed to connect to bus: No medium found), so the schedule is not running yet."}, steps...)...)
	})
	t.Run("default folder", func(t *testing.T) {
		home := t.TempDir()
		pathDir, _, _ := fakeSystemd(t)
		cli(t, []string{"PATH=" + pathDir, "HOME=" + home, "XDG_CONFIG_HOME="}, "", "schedule", "install", "--data", p.dir).
			expect(t, exitOK, "Wrote "+filepath.Join(home, ".config", "systemd", "user", "assent-purge.timer"))
	})
	t.Run("no data yet", func(t *testing.T) {
		pathDir, _, _ := fakeSystemd(t)
		cli(t, []string{"PATH=" + pathDir}, "", "schedule", "install", "--data", t.TempDir()).
			expect(t, exitOK, "note: there is no Assent data in")
	})
}

// A data folder whose name would break the unit file is refused, and
// nothing is written.
func TestCLIScheduleRefusesControlCharacters(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config")
	pathDir, systemctlLog, _ := fakeSystemd(t)
	r := cli(t, []string{"PATH=" + pathDir, "XDG_CONFIG_HOME=" + config}, "", "schedule", "install", "--data", "/home/robin/evil\nExecStartPre=/bin/rm")
	r.expect(t, exitProblems, "assent schedule: the path", "holds a control character")
	if entries, _ := os.ReadDir(filepath.Join(config, "systemd", "user")); len(entries) != 0 {
		t.Errorf("wrote %d files", len(entries))
	}
	if got := readLog(t, systemctlLog); got != "" {
		t.Errorf("ran systemctl %s", got)
	}
}
