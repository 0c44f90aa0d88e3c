package storage_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// The life of a recording: set up the vault, record a session with the
// client's assent, play it back, delete it.
func Example() {
	dir, _ := os.MkdirTemp("", "assent-example-")
	defer os.RemoveAll(dir)

	// The app passes storage.Options{}: the default KDF costs about half a
	// second per unlock. The example uses a cheap one.
	db, err := storage.Open(dir, storage.Options{KDF: storage.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateVault("a long passphrase"); err != nil { // returns the recovery key to print
		log.Fatal(err)
	}

	client, _ := db.CreateClient("R. (Tuesdays)")
	session, _ := db.CreateSession(client.ID, storage.Participant{Name: "Robin", Role: "client"})
	db.AppendConsentEvent(storage.ConsentEvent{SessionID: session.ID, Kind: "confirmed",
		At: time.Now(), Actor: "participant", Participant: "Robin"})

	deleteOn := time.Now().AddDate(0, 0, 28)
	w, err := db.NewRecording(session.ID, 1, deleteOn, []string{"reflection"})
	if err != nil {
		log.Fatal(err)
	}
	w.Write([]byte("MP3 frames from the encoder"))
	if err := w.Close(); err != nil { // seals the final chunk, marks it complete
		log.Fatal(err)
	}

	r, err := db.OpenRecording(w.ID())
	if err != nil {
		log.Fatal(err)
	}
	mp3, _ := io.ReadAll(r)
	r.Close()
	fmt.Printf("%s\n", mp3)

	db.DeleteNow(w.ID(), "client asked")
	rec, _ := db.Recording(w.ID())
	fmt.Println(rec.State, "-", rec.DeleteReason)
	fmt.Println("audit chain intact:", db.VerifyAudit() == nil)
	// Output:
	// MP3 frames from the encoder
	// deleted - client asked
	// audit chain intact: true
}
