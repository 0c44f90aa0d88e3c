package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCLIStatus(t *testing.T) {
	p := newPractice(t)

	r := cli(t, nil, "", "status", "--data", p.dir)
	pad := func(k string) string { return k + strings.Repeat(" ", len("Latest time seen  ")-len(k)) }
	r.expect(t, exitOK, "Data folder", p.dir, pad("Clients")+"1", pad("Sessions")+"1", pad("Recordings")+"3 kept, 0 deleted",
		pad("Next deletion")+p.dueOn.UTC().Format(timeLayout)+", already due: run 'assent purge'",
		"recording files", "Schema version", "File format", pad("Passphrase")+"set", "Audit log", ", head #",
		pad("Latest time seen"))
	for _, secret := range []string{testClientLabel, testParticipant} {
		if strings.Contains(r.stdout, secret) {
			t.Errorf("status shows %q", secret)
		}
	}

	cli(t, nil, "", "purge", "--data", p.dir).expect(t, exitOK)
	r = cli(t, nil, "", "status", "--json", "--data", p.dir)
	r.expect(t, exitOK)
	var st statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if st.DataDir != p.dir || st.Clients != 1 || st.Sessions != 1 || st.LiveRecordings != 2 || st.DeletedRecordings != 1 ||
		st.NextDeletion == nil || !st.NextDeletion.Equal(p.deleteOn) || st.Overdue || st.RecordingFiles != 2 ||
		st.BytesOnDisk == 0 || st.SchemaVersion < 1 || st.FormatVersion < 1 || !st.PassphraseSet || st.AuditRows == 0 {
		t.Errorf("status --json = %+v", st)
	}
	for _, key := range []string{`"nextDeletion"`, `"liveRecordings"`, `"schemaVersion"`, `"formatVersion"`, `"bytesOnDisk"`} {
		if !strings.Contains(r.stdout, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	if strings.Contains(r.stdout, testClientLabel) {
		t.Error("status --json shows the client's label")
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_234_567: "1.2 MB", 5_000_000_000: "5.0 GB", 7e12: "7000.0 GB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
	if plural(1, "entry") != "1 entry" || plural(2, "entry") != "2 entries" || plural(0, "recording") != "0 recordings" {
		t.Error("plural")
	}
}
