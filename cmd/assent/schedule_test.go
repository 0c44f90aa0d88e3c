package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSystemctl puts a systemctl on PATH that logs its arguments to a file
// and prints and exits as told, and returns the PATH and the log's path.
func fakeSystemctl(t *testing.T, output string, exit int) (path, log string) {
	t.Helper()
	bin := t.TempDir()
	log = filepath.Join(t.TempDir(), "systemctl.log")
	script := "#!/bin/sh\necho \"$@\" >> '" + log + "'\n"
	if output != "" {
		script += "echo '" + output + "'\n"
	}
	script += "exit " + string(rune('0'+exit)) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

func readLog(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// On Linux, install writes a systemd user timer and service that run this
// very binary's purge on the data folder, hourly and persistently, enables
// it, and remove undoes all of it.
func TestCLIScheduleLinux(t *testing.T) {
	p := newPractice(t)
	bin := assentBinary(t)
	pathDir, log := fakeSystemctl(t, "", 0)
	config := filepath.Join(t.TempDir(), "config")
	env := []string{"PATH=" + pathDir, "XDG_CONFIG_HOME=" + config}
	units := filepath.Join(config, "systemd", "user")

	cli(t, env, "", "schedule", "show", "--data", p.dir).expect(t, exitOK, "Not installed", "would be written by install")
	os.Remove(log)

	r := cli(t, env, "", "schedule", "install", "--data", p.dir)
	r.expect(t, exitOK, "Wrote "+filepath.Join(units, "assent-purge.service"), "Wrote "+filepath.Join(units, "assent-purge.timer"),
		"Enabled assent-purge.timer", "loginctl enable-linger")
	service, _ := os.ReadFile(filepath.Join(units, "assent-purge.service"))
	timer, _ := os.ReadFile(filepath.Join(units, "assent-purge.timer"))
	for _, want := range []string{"Type=oneshot", `ExecStart="` + bin + `" "purge" "--data" "` + p.dir + `"`} {
		if !strings.Contains(string(service), want) {
			t.Errorf("service lacks %q:\n%s", want, service)
		}
	}
	for _, want := range []string{"OnCalendar=hourly", "Persistent=true", "WantedBy=timers.target"} {
		if !strings.Contains(string(timer), want) {
			t.Errorf("timer lacks %q:\n%s", want, timer)
		}
	}
	if got, want := readLog(t, log), "--user daemon-reload\n--user enable --now assent-purge.timer\n"; got != want {
		t.Errorf("systemctl was run with\n%s\nwant\n%s", got, want)
	}

	// What the timer would run works.
	args := strings.Fields(strings.ReplaceAll(lineWith(string(service), "ExecStart="), `"`, ""))
	if len(args) != 4 || args[0] != "ExecStart="+bin {
		t.Fatalf("ExecStart = %v", args)
	}
	cli(t, nil, "", args[1:]...).expect(t, exitOK, p.due, "Deleted 1 recording.")

	show := cli(t, env, "", "schedule", "show", "--data", p.dir)
	show.expect(t, exitOK, "Installed: ", "--- "+filepath.Join(units, "assent-purge.timer"), "OnCalendar=hourly", "journalctl --user -u assent-purge.service")
	if strings.Contains(show.stdout, "differs from") {
		t.Errorf("show says the units differ from what install writes:\n%s", show.stdout)
	}
	other := cli(t, env, "", "schedule", "show", "--data", t.TempDir())
	other.expect(t, exitOK, "differs from what 'assent schedule install' would write now")

	// As `systemctl enable` would have made it (the fake does not).
	os.MkdirAll(filepath.Join(units, "timers.target.wants"), 0o755)
	os.Symlink(filepath.Join(units, "assent-purge.timer"), filepath.Join(units, "timers.target.wants", "assent-purge.timer"))
	os.Remove(log)
	cli(t, env, "", "schedule", "remove", "--data", p.dir).expect(t, exitOK, "Removed", "only while Assent is open")
	if _, err := os.Lstat(filepath.Join(units, "timers.target.wants", "assent-purge.timer")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the timers.target.wants link is still there: %v", err)
	}
	for _, f := range []string{"assent-purge.service", "assent-purge.timer"} {
		if _, err := os.Stat(filepath.Join(units, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there: %v", f, err)
		}
	}
	if got, want := readLog(t, log), "--user disable --now assent-purge.timer\n--user daemon-reload\n"; got != want {
		t.Errorf("systemctl was run with\n%s\nwant\n%s", got, want)
	}
	cli(t, env, "", "schedule", "remove", "--data", p.dir).expect(t, exitOK, "No schedule is installed")
}

// Without systemctl, or without a user session for it to reach, install
// still writes the files, says exactly what to run, and exits 1.
func TestCLIScheduleWithoutSystemd(t *testing.T) {
	p := newPractice(t)
	config := filepath.Join(t.TempDir(), "config")
	units := filepath.Join(config, "systemd", "user")
	steps := []string{"systemctl --user daemon-reload", "systemctl --user enable --now assent-purge.timer"}

	t.Run("no systemctl", func(t *testing.T) {
		r := cli(t, []string{"PATH=" + t.TempDir(), "XDG_CONFIG_HOME=" + config}, "", "schedule", "install", "--data", p.dir)
		r.expect(t, exitProblems, append([]string{"systemctl was not found, so the timer is not running yet. The files are written"}, steps...)...)
		if _, err := os.Stat(filepath.Join(units, "assent-purge.timer")); err != nil {
			t.Errorf("timer not written: %v", err)
		}
	})
	t.Run("no user session", func(t *testing.T) {
		pathDir, _ := fakeSystemctl(t, "Failed to connect to bus: No medium found", 1)
		r := cli(t, []string{"PATH=" + pathDir, "XDG_CONFIG_HOME=" + config}, "", "schedule", "install", "--data", p.dir)
		r.expect(t, exitProblems, append([]string{"'systemctl --user daemon-reload' failed (Failed to connect to bus: No medium found)"}, steps...)...)
	})
	t.Run("default folder", func(t *testing.T) {
		home := t.TempDir()
		pathDir, _ := fakeSystemctl(t, "", 0)
		cli(t, []string{"PATH=" + pathDir, "HOME=" + home, "XDG_CONFIG_HOME="}, "", "schedule", "install", "--data", p.dir).
			expect(t, exitOK, "Wrote "+filepath.Join(home, ".config", "systemd", "user", "assent-purge.timer"))
	})
}

// testScheduler is the scheduler for goos with fixed paths, writing to
// buffers.
func testScheduler(t *testing.T, goos, exe, data string) (*scheduler, *bytes.Buffer) {
	var out bytes.Buffer
	return &scheduler{
		goos: goos, exe: exe, dataDir: data, unitDir: t.TempDir(), home: "/Users/robin",
		getenv:    func(string) string { return "" },
		lookPath:  func(string) (string, error) { return "", errors.New("not found") },
		systemctl: func(...string) (string, error) { t.Fatal("systemctl run"); return "", nil },
		stdout:    &out, stderr: &out,
	}, &out
}

func TestScheduleMacOS(t *testing.T) {
	s, out := testScheduler(t, "darwin", "/Applications/Assent.app/Contents/MacOS/assent", "/Users/robin/Library/Application Support/assent & co")
	if code := s.install(); code != exitOK {
		t.Fatalf("install: exit %d", code)
	}
	text := out.String()
	for _, want := range []string{"/Users/robin/Library/LaunchAgents/org.assent.recorder.purge.plist", "<key>StartInterval</key>", "<integer>3600</integer>",
		"<string>/Applications/Assent.app/Contents/MacOS/assent</string>", "<string>purge</string>", "<string>--data</string>",
		"<string>/Users/robin/Library/Application Support/assent &amp; co</string>", "launchctl bootstrap gui/$(id -u) /Users/robin/Library/LaunchAgents/org.assent.recorder.purge.plist"} {
		if !strings.Contains(text, want) {
			t.Errorf("install output lacks %q:\n%s", want, text)
		}
	}
	// The plist is well-formed XML.
	start := strings.Index(text, "<?xml")
	end := strings.Index(text, "</plist>") + len("</plist>")
	d := xml.NewDecoder(strings.NewReader(text[start:end]))
	d.Strict = true
	for {
		_, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Errorf("plist: %v", err)
			}
			break
		}
	}
	out.Reset()
	s.remove()
	if !strings.Contains(out.String(), "launchctl bootout gui/$(id -u)/org.assent.recorder.purge") {
		t.Errorf("remove: %s", out)
	}
	out.Reset()
	s.show()
	if !strings.Contains(out.String(), "launchctl print gui/$(id -u)/org.assent.recorder.purge") {
		t.Errorf("show: %s", out)
	}
}

func TestScheduleWindows(t *testing.T) {
	s, out := testScheduler(t, "windows", `C:\Program Files\Assent\assent.exe`, `C:\Users\Robin\AppData\Roaming\assent`)
	s.install()
	want := `schtasks /Create /TN "Assent purge" /SC HOURLY /TR "\"C:\Program Files\Assent\assent.exe\" purge --data \"C:\Users\Robin\AppData\Roaming\assent\"" /F`
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "Run task as soon as possible after a scheduled start is missed") {
		t.Errorf("install:\n%s\nwant %s", out, want)
	}
	out.Reset()
	s.remove()
	if !strings.Contains(out.String(), `schtasks /Delete /TN "Assent purge" /F`) {
		t.Errorf("remove: %s", out)
	}
}

func TestScheduleRefusesControlCharacters(t *testing.T) {
	s, out := testScheduler(t, "linux", "/usr/bin/assent", "/home/robin/evil\nExecStartPre=/bin/rm")
	if code := s.install(); code != exitProblems || !strings.Contains(out.String(), "control character") {
		t.Errorf("install: exit %d, %s", code, out)
	}
	if entries, _ := os.ReadDir(s.unitDir); len(entries) != 0 {
		t.Errorf("wrote %d files", len(entries))
	}
}

func TestSystemdQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/assent":             `"/usr/bin/assent"`,
		"/home/r/My Data":             `"/home/r/My Data"`,
		`/home/r/100% "sure" \ $HOME`: `"/home/r/100%% \"sure\" \\ $$HOME"`,
	} {
		if got := systemdQuote(in); got != want {
			t.Errorf("systemdQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if shellQuote("/usr/bin/assent") != "/usr/bin/assent" || shellQuote("/a b/it's") != `'/a b/it'\''s'` {
		t.Error("shellQuote")
	}
}
