package app

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/storage"
)

// startToPractice is what a therapist waits for: open the data folder,
// make the UI, unlock, and draw the practice screen once.
func startToPractice(b *testing.B, dir string) time.Duration {
	b.Helper()
	start := time.Now()
	db, err := storage.Open(dir, storage.Options{KDF: testKDF})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	a := test.NewApp()
	defer a.Quit()
	w := a.NewWindow("Assent")
	defer w.Close()
	u := New(a, w, db, Options{DataDir: dir, Logf: b.Logf})
	u.do = func(f func()) {}
	u.Start()
	defer u.stopHousekeeping()
	if err := db.Unlock(goodPassphrase); err != nil {
		b.Fatal(err)
	}
	u.showPractice()
	w.Canvas().Capture() // the first frame
	return time.Since(start)
}

// practiceFolder makes a data folder with clients × perClient sessions,
// each with its consent history (ask, confirm, withdraw) and a recording.
func practiceFolder(b *testing.B, clients, perClient int) string {
	b.Helper()
	dir := b.TempDir()
	db, err := storage.Open(dir, storage.Options{KDF: testKDF})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		b.Fatal(err)
	}
	deleteOn := time.Now().Add(28 * 24 * time.Hour)
	for c := 0; c < clients; c++ {
		cl, err := db.CreateClient(fmt.Sprintf("client %04d", c))
		if err != nil {
			b.Fatal(err)
		}
		for s := 0; s < perClient; s++ {
			ss, err := db.CreateSession(cl.ID, storage.Participant{Name: "P", Role: "client"})
			if err != nil {
				b.Fatal(err)
			}
			for _, kind := range []string{"ask", "confirm", "withdraw"} {
				if _, err := db.AppendConsentEvent(storage.ConsentEvent{SessionID: ss.ID, Kind: kind, At: time.Now(), Actor: "therapist", Data: []byte("{}")}); err != nil {
					b.Fatal(err)
				}
			}
			w, err := db.NewRecording(ss.ID, 1, deleteOn, []string{"reflection"})
			if err != nil {
				b.Fatal(err)
			}
			w.Write([]byte("mp3"))
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			if err := db.EndSession(ss.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	return dir
}

// BenchmarkStartToPractice measures app start to the first frame of the
// practice with 10,000 sessions (100 clients × 100, each with its consent
// history and a recording) against an empty practice, side by side in the
// same run; "x-empty" is the ratio.
func BenchmarkStartToPractice(b *testing.B) {
	empty := practiceFolder(b, 0, 0)
	big := practiceFolder(b, 100, 100)
	var tEmpty, tBig time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tEmpty += startToPractice(b, empty)
		tBig += startToPractice(b, big)
	}
	b.ReportMetric(float64(tEmpty.Milliseconds())/float64(b.N), "empty-ms")
	b.ReportMetric(float64(tBig.Milliseconds())/float64(b.N), "10k-ms")
	b.ReportMetric(float64(tBig)/float64(tEmpty), "x-empty")
}
