package storage_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// TestMarkers: markers handed to the writer are sealed with the recording,
// read back in time order with their words; deleting the last part of the
// recording deletes the markers in it; deleting the recording erases them.
func TestMarkers(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	w := f.startRecording(t, s.ID, 1)
	if _, err := w.Write(randomBytes(8000, 3)); err != nil {
		t.Fatal(err)
	}
	w.SetDuration(8 * time.Second)
	for _, m := range []storage.Marker{
		{At: 6 * time.Second, Word: "  silence  "},
		{At: 1500 * time.Millisecond},
		{At: 3 * time.Second, Word: strings.Repeat("é", storage.MaxMarkerWord)},
	} {
		if err := w.AddMarker(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddMarker(storage.Marker{At: -time.Second}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("a marker before the start: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.AddMarker(storage.Marker{At: time.Second}); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("a marker after Close: %v", err)
	}
	ms, err := f.db.Markers(w.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].At != 1500*time.Millisecond || ms[0].Word != "" || ms[1].At != 3*time.Second ||
		len(ms[1].Word) != storage.MaxMarkerWord || ms[2] != (storage.Marker{At: 6 * time.Second, Word: "silence"}) {
		t.Fatalf("markers %+v", ms)
	}

	// Delete the last half (the last 4 of 8 seconds): the marker at 6 s
	// goes with it; the others are re-sealed under the new key.
	if err := f.db.DeleteAfter(w.ID(), 4000, "the client asked"); err != nil {
		t.Fatal(err)
	}
	ms, err = f.db.Markers(w.ID())
	if err != nil || len(ms) != 2 || ms[1].At != 3*time.Second {
		t.Fatalf("after deleting the last half: %+v, %v", ms, err)
	}

	if err := f.db.DeleteNow(w.ID(), "no longer needed"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Markers(w.ID()); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("markers of a deleted recording: %v", err)
	}
	f.db.Close()
	raw, _ := sql.Open("sqlite", storage.DSN(f.dir))
	defer raw.Close()
	var sealed []byte
	if err := raw.QueryRow("SELECT markers FROM recordings WHERE id = ?", w.ID()).Scan(&sealed); err != nil || sealed != nil {
		t.Errorf("a deleted recording's row keeps %d bytes of markers (%v)", len(sealed), err)
	}
}
