package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

func TestCLIVerify(t *testing.T) {
	p := newPractice(t)
	pass := passFile(t, testPassphrase)

	t.Run("intact", func(t *testing.T) {
		cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", pass).
			expect(t, exitOK, "the hash chain is intact", "3 recordings checked chunk by chunk.", "No problems found.")
	})
	t.Run("passphrase on standard input", func(t *testing.T) {
		cli(t, nil, testPassphrase+"\n", "verify", "--data", p.dir, "--passphrase-file", "-").
			expect(t, exitOK, "3 recordings checked", "No problems found.")
	})
	t.Run("no terminal, no passphrase: audit log only", func(t *testing.T) {
		cli(t, nil, "", "verify", "--data", p.dir).
			expect(t, exitOK, "the hash chain is intact", "not checked: no passphrase", "No problems found.")
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", passFile(t, "not the passphrase")).
			expect(t, exitProblems, "problem: wrong passphrase: the recordings were not checked.", "1 problem found.")
	})
	t.Run("empty passphrase file", func(t *testing.T) {
		empty := passFile(t, "")
		cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", empty).
			expect(t, exitProblems, "assent verify: the passphrase file "+empty+" is empty.")
	})

	// The database edited by hand, the app closed: a deletion date moved
	// to 2100, a purpose added. verify names both; the sealed ones stay in
	// force, and the edits changed nothing of the data folder's files.
	t.Run("terms edited by hand", func(t *testing.T) {
		raw, err := sql.Open("sqlite", filepath.Join(p.dir, storage.DBFile))
		if err != nil {
			t.Fatal(err)
		}
		later := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
		for _, q := range []string{
			fmt.Sprintf("UPDATE recordings SET delete_on = %d WHERE id = '%s'", later, p.kept[0]),
			fmt.Sprintf(`UPDATE recordings SET purposes = '["reflection","supervision"]' WHERE id = '%s'`, p.kept[1]),
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		raw.Close()
		r := cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", pass)
		r.expect(t, exitProblems,
			"problem: recording "+p.kept[0]+": its deletion date was moved later in the database, to 2100-01-01",
			"problem: recording "+p.kept[1]+`: purposes ["supervision"] were added to it in the database`)
		st := cli(t, nil, "", "status", "--data", p.dir)
		if strings.Contains(st.stdout, "2100") {
			t.Errorf("status shows the date moved by hand as the next deletion:\n%s", st.stdout)
		}
		// Put back as it was, for the subtests that follow.
		raw, _ = sql.Open("sqlite", filepath.Join(p.dir, storage.DBFile))
		defer raw.Close()
		raw.Exec(fmt.Sprintf(`UPDATE recordings SET purposes = '["reflection"]' WHERE id = '%s'`, p.kept[1]))
		raw.Exec(fmt.Sprintf(`UPDATE recordings SET delete_on = (SELECT delete_on FROM recordings WHERE id = '%s') WHERE id = '%s'`, p.kept[1], p.kept[0]))
		cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", pass).expect(t, exitOK, "No problems found.")
	})

	t.Run("tampered recording file", func(t *testing.T) {
		path := p.file(p.kept[0])
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x20 // inside a middle chunk
		os.WriteFile(path, b, 0o600)
		short := p.file(p.kept[1])
		b, _ = os.ReadFile(short)
		os.WriteFile(short, b[:len(b)-10], 0o600)
		r := cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", pass)
		r.expect(t, exitProblems,
			"problem: recording "+p.kept[0]+": its file was altered or is damaged (at chunk ",
			"problem: recording "+p.kept[1]+": its file is cut short",
			"2 problems found.")
		if strings.Contains(r.stdout, "problem: recording "+p.due) {
			t.Errorf("the intact recording is reported:\n%s", r.stdout)
		}
	})

	// A missing file is what a database restored from a backup shows
	// (recordings are not in backups): said, not counted as a problem.
	t.Run("missing recording file", func(t *testing.T) {
		os.Remove(p.file(p.due))
		r := cli(t, nil, "", "verify", "--data", p.dir, "--passphrase-file", pass)
		r.expect(t, exitProblems, "1 recording not in the backup", "not in the backup: recording "+p.due+": its file is not in the data folder",
			"2 problems found.")
		if strings.Contains(r.stdout, "problem: recording "+p.due) {
			t.Errorf("the missing file is counted as a problem:\n%s", r.stdout)
		}
	})

	t.Run("a file the database has no record of", func(t *testing.T) {
		name := "0123456789abcdef0123456789abcdef.rec"
		orphan := filepath.Join(p.dir, storage.RecordingsDir, name)
		if err := os.WriteFile(orphan, make([]byte, 700), 0o600); err != nil {
			t.Fatal(err)
		}
		cli(t, nil, "", "verify", "--data", p.dir).
			expect(t, exitProblems, "problem: file "+name+" has no record in the database",
				"1 recording file without a record will be removed at the next start.", "1 problem found.")
		if _, err := os.Stat(orphan); err != nil {
			t.Errorf("verify removed the file: %v", err)
		}
		cli(t, nil, "", "purge", "--data", p.dir).expect(t, exitOK, "removed recordings/"+name)
		cli(t, nil, "", "verify", "--data", p.dir).expect(t, exitOK, "No problems found.")
	})

	t.Run("altered audit log", func(t *testing.T) {
		raw, err := sql.Open("sqlite", filepath.Join(p.dir, storage.DBFile))
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, q := range []string{"DROP TRIGGER audit_no_update", "UPDATE audit SET detail = 'nothing happened' WHERE id = 3"} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		raw.Close()
		cli(t, nil, "", "verify", "--data", p.dir).
			expect(t, exitProblems, "problem: audit entry 3: content was altered.", "1 problem found.")
	})
}

func TestReadLine(t *testing.T) {
	for in, want := range map[string]string{"secret\n": "secret", "secret\r\nmore": "secret", "no newline": "no newline", "\n": ""} {
		r := strings.NewReader(in)
		got, err := readLine(r)
		if err != nil || string(got) != want {
			t.Errorf("readLine(%q) = %q, %v; want %q", in, got, err, want)
		}
		if in == "secret\r\nmore" && r.Len() != len("more") {
			t.Errorf("readLine consumed past the newline")
		}
	}
	if _, err := readLine(bytes.NewReader(nil)); err == nil {
		t.Error("readLine of nothing: no error")
	}
}
