package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	mp3 "github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// supervisorKey makes a supervisor's key pair with the age-keygen tool,
// as a supervisor would, and returns the key file and the public key.
func supervisorKey(t *testing.T) (keyFile, public string) {
	t.Helper()
	keyFile = filepath.Join(t.TempDir(), "supervisor.key")
	out, err := exec.Command("age-keygen", "-o", keyFile).CombinedOutput()
	if err != nil {
		t.Fatalf("age-keygen (Debian package age): %v\n%s", err, out)
	}
	_, public, ok := strings.Cut(strings.TrimSpace(string(out)), "Public key: ")
	if !ok {
		t.Fatalf("age-keygen printed %q", out)
	}
	return keyFile, public
}

// decodedLength decodes MP3 bytes with go-mp3 and returns their length.
func decodedLength(t *testing.T, b []byte) time.Duration {
	t.Helper()
	dec, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, dec)
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(n/4) * time.Second / time.Duration(dec.SampleRate())
}

// auditsOf returns the audit rows of kind about id.
func auditsOf(t *testing.T, db *storage.DB, id, kind string) []storage.AuditEntry {
	t.Helper()
	log, err := db.AuditLog(0, 1000, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []storage.AuditEntry
	for _, e := range log {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestExportOpensWithTheAgeTool(t *testing.T) {
	clock := clocktest.New(time.Now())
	_, db := unlockedClockUI(t, clock)
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection, consent.PurposeSupervision}, clock.Now().Add(72*time.Hour))
	want, _, spoken := librarySpeechMP3(t)
	keyFile, public := supervisorKey(t)
	recipient, err := parseSupervisorKey(" " + public + "\n")
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "session.mp3.age")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := exportRecording(db, rec.ID, recipient, f); err != nil { // closes f
		t.Fatal(err)
	}
	sealed, _ := os.ReadFile(out)
	if bytes.Contains(sealed, want[len(want)/2:len(want)/2+64]) {
		t.Fatal("the export holds plain MP3")
	}

	cmd := exec.Command("age", "-d", "-i", keyFile, out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("age -d: %v: %s", err, stderr.String())
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("age -d gave %d bytes, the recording has %d", len(got), len(want))
	}
	if d := decodedLength(t, got) - spoken; d < -200*time.Millisecond || d > 300*time.Millisecond {
		t.Errorf("the export decodes to %v of audio, %v was spoken", decodedLength(t, got), spoken)
	}

	audits := auditsOf(t, db, rec.ID, storage.AuditRecordingExported)
	if len(audits) != 1 {
		t.Fatalf("%d export audit rows, want 1", len(audits))
	}
	if d := audits[0].Detail; !strings.HasPrefix(d, "to supervisor key "+public[:12]+"…") || !strings.HasSuffix(d, public[len(public)-6:]) {
		t.Errorf("audit detail %q does not name the key %s in short", d, public)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Error(err)
	}
}

func TestExportWithAPassphrase(t *testing.T) {
	clock := clocktest.New(time.Now())
	_, db := unlockedClockUI(t, clock)
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeSupervision}, clock.Now().Add(72*time.Hour))
	want, _, _ := librarySpeechMP3(t)
	r, err := age.NewScryptRecipient("supervision passphrase")
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(10) // the app uses age's default; this keeps the test quick
	var buf bytes.Buffer
	if err := exportRecording(db, rec.ID, r, nopCloser{&buf}); err != nil {
		t.Fatal(err)
	}
	id, _ := age.NewScryptIdentity("supervision passphrase")
	plain, err := age.Decrypt(&buf, id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(plain)
	if !bytes.Equal(got, want) {
		t.Error("the passphrase export does not decrypt to the recording")
	}
	if a := auditsOf(t, db, rec.ID, storage.AuditRecordingExported); len(a) != 1 || a[0].Detail != "protected by a passphrase" {
		t.Errorf("audit rows %+v", a)
	}
}

func TestExportRefusedWithoutSupervision(t *testing.T) {
	clock := clocktest.New(time.Now())
	u, db := unlockedClockUI(t, clock)
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection}, clock.Now().Add(72*time.Hour))
	_, public := supervisorKey(t)
	recipient, err := parseSupervisorKey(public)
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	err = exportRecording(db, rec.ID, recipient, nopCloser{&buf})
	if !errors.Is(err, session.ErrExportNotAgreed) {
		t.Fatalf("export of a reflection-only recording: %v, want session.ErrExportNotAgreed", err)
	}
	if buf.Len() != 0 {
		t.Error("something was written")
	}
	if r, _ := db.Recording(rec.ID); r.Plays != 0 {
		t.Error("the refused export opened the recording")
	}
	if a := auditsOf(t, db, rec.ID, storage.AuditRecordingExported); len(a) != 0 {
		t.Errorf("a refused export was audited as an export: %+v", a)
	}

	// On screen: the button is off and the sentence says why.
	const sentence = "This recording can't be exported: the client agreed to reflection only."
	s := newLibraryScreen(u)
	u.show(s)
	s.list.Select(entryIndex(t, s, rec.ID))
	if !s.export.Disabled() {
		t.Error("Export is enabled for a reflection-only recording")
	}
	if !containsText(s.detail, sentence) {
		t.Errorf("the screen does not say %q", sentence)
	}
	s.askExport()
	if s.problem.Text != sentence {
		t.Errorf("problem = %q", s.problem.Text)
	}
	if u.win.Canvas().Overlays().Top() != nil {
		t.Error("the export dialog opened")
	}

	t.Run("deleted", func(t *testing.T) {
		sup := storeRecording(t, db, "C.D.", []string{consent.PurposeSupervision}, clock.Now().Add(72*time.Hour))
		if err := db.DeleteNow(sup.ID, "no longer needed"); err != nil {
			t.Fatal(err)
		}
		if err := exportRecording(db, sup.ID, recipient, discardCloser{}); !errors.Is(err, storage.ErrDeleted) {
			t.Errorf("export of a deleted recording: %v", err)
		}
	})
}

func TestExportRefusalSentences(t *testing.T) {
	clock := clocktest.New(time.Now())
	_, db := unlockedClockUI(t, clock)
	for i, c := range []struct {
		purposes []string
		export   bool
		want     string
	}{
		{[]string{"reflection"}, false, "This recording can't be exported: the client agreed to reflection only."},
		{[]string{"reflection", "training"}, false, "This recording can't be exported: the client agreed to reflection and training only."},
		{[]string{"reflection", "supervision"}, false, "This recording can't be exported: the client agreed to supervision here, but no copy to take away was offered."},
		{[]string{"reflection", "supervision"}, true, ""},
	} {
		rec := storeRecordingWith(t, db, fmt.Sprintf("client %d", i), c.purposes, c.export, clock.Now().Add(72*time.Hour))
		if got := exportRefusal(db, rec); got != c.want {
			t.Errorf("exportRefusal(%v, export %v) = %q, want %q", c.purposes, c.export, got, c.want)
		}
	}
}

// TestExportFromTheLibrary goes through the screen: the dialog reads the
// key, and the export is written to the file chosen (the file dialog
// itself is Fyne's and is skipped).
func TestExportFromTheLibrary(t *testing.T) {
	clock := clocktest.New(time.Now())
	u, db := unlockedClockUI(t, clock)
	rec := storeRecording(t, db, "A.B.", []string{consent.PurposeReflection, consent.PurposeSupervision}, clock.Now().Add(72*time.Hour))
	keyFile, public := supervisorKey(t)
	s := newLibraryScreen(u)
	u.show(s)
	s.list.Select(entryIndex(t, s, rec.ID))
	if s.export.Disabled() {
		t.Fatal("Export is disabled for a recording agreed for supervision")
	}
	test.Tap(s.export)
	f := s.exportForm
	if f == nil || u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no export dialog")
	}
	test.Type(f.key, "age1notakey")
	if _, msg := f.exportRecipient(); !strings.Contains(msg, "not an age public key") {
		t.Errorf("a bad key gives %q", msg)
	}
	f.how.SetSelected(exportByPassphrase)
	f.pass.pass.SetText("short")
	if _, msg := f.exportRecipient(); msg == "" {
		t.Error("a short passphrase was accepted")
	}
	f.how.SetSelected(exportByKey)
	f.key.SetText(public)
	recipient, msg := f.exportRecipient()
	if msg != "" {
		t.Fatal(msg)
	}
	if name := exportFileName(s.entries[s.selected], time.UTC); strings.Contains(name, "A.B.") || !strings.HasSuffix(name, ".mp3.age") {
		t.Errorf("file name %q", name)
	}

	out := filepath.Join(t.TempDir(), "export.mp3.age")
	w, err := fynestorage.Writer(fynestorage.NewFileURI(out))
	if err != nil {
		t.Fatal(err)
	}
	s.exportTo(rec.ID, recipient, w)
	settle(u)
	if s.problem.Text != "" {
		t.Fatalf("problem = %q", s.problem.Text)
	}
	if !strings.Contains(s.info.Text, "Exported, encrypted, to "+out) {
		t.Errorf("info = %q", s.info.Text)
	}
	got, err := exec.Command("age", "-d", "-i", keyFile, out).Output()
	if err != nil {
		t.Fatalf("age -d: %v", err)
	}
	want, _, _ := librarySpeechMP3(t)
	if !bytes.Equal(got, want) {
		t.Error("the export does not decrypt to the recording")
	}

	t.Run("failed export leaves no file", func(t *testing.T) {
		if err := db.DeleteNow(rec.ID, "no longer needed"); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "late.mp3.age")
		w, err := fynestorage.Writer(fynestorage.NewFileURI(out))
		if err != nil {
			t.Fatal(err)
		}
		s.exportTo(rec.ID, recipient, w)
		settle(u)
		if !strings.HasPrefix(s.problem.Text, "Nothing was exported") {
			t.Errorf("problem = %q", s.problem.Text)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a failed export left %s (%v)", out, err)
		}
	})
}
