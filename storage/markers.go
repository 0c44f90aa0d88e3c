package storage

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Marker is a moment of a recording the therapist marked while recording
// ("come back to this"), with an optional word. A marker records nothing
// itself: it is a time and a word, sealed under the recording's key with
// its peaks, so it is erased with the recording and shortened with it.
type Marker struct {
	At   time.Duration // from the start of the recording
	Word string        // may be empty; at most MaxMarkerWord bytes
}

// MaxMarkerWord is the longest word a marker keeps, in bytes; longer ones
// are cut (at a character boundary).
const MaxMarkerWord = 200

// MaxMarkers is the most markers one recording keeps; AddMarker refuses
// more with ErrInvalid.
const MaxMarkers = 1000

// AddMarker marks a moment of the recording being written. Markers are
// kept with the writer and sealed with the recording when it is closed, in
// the same transaction as its peaks (a crash loses them, as it loses the
// peaks). ErrInvalid for a negative time or more than MaxMarkers; ErrClosed
// after Close; ErrDeleted when the recording was deleted meanwhile.
func (w *RecordingWriter) AddMarker(m Marker) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.killed:
		return fmt.Errorf("storage: marker of %s: %w", w.id, ErrDeleted)
	case w.closed:
		return fmt.Errorf("storage: marker of %s: %w", w.id, ErrClosed)
	case m.At < 0 || len(w.markers) >= MaxMarkers:
		return fmt.Errorf("storage: marker of %s at %v: %w", w.id, m.At, ErrInvalid)
	}
	m.Word = cutWord(strings.TrimSpace(m.Word))
	w.markers = append(w.markers, m)
	return nil
}

// cutWord keeps at most MaxMarkerWord bytes of s, whole characters only.
func cutWord(s string) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= MaxMarkerWord {
		return s
	}
	s = s[:MaxMarkerWord]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Markers returns a recording's markers in time order; none for a
// recording without. Needs the vault unlocked. ErrTampered if the sealed
// markers were altered.
func (db *DB) Markers(recordingID string) ([]Marker, error) {
	key, _, _, err := db.recordingKey(recordingID)
	if err != nil {
		return nil, fmt.Errorf("storage: markers: %w", err)
	}
	defer zero(key)
	var sealed []byte
	if err := db.sql.QueryRow("SELECT markers FROM recordings WHERE id = ?", recordingID).Scan(&sealed); err != nil {
		return nil, fmt.Errorf("storage: markers: %w", dbErr(err))
	}
	ms, err := openMarkers(key, recordingID, sealed)
	if err != nil {
		return nil, fmt.Errorf("storage: markers of %s: %w", recordingID, err)
	}
	return ms, nil
}

// markerJSON is a marker as sealed: milliseconds and the word.
type markerJSON struct {
	AtMS int64  `json:"at_ms"`
	Word string `json:"word,omitempty"`
}

// sealMarkers seals markers, in time order, under a subkey of the
// recording's key, bound to the recording; nil for none.
func sealMarkers(recordingKey []byte, id string, ms []Marker) []byte {
	if len(ms) == 0 {
		return nil
	}
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b Marker) int { return cmp.Compare(a.At, b.At) })
	out := make([]markerJSON, len(ms))
	for i, m := range ms {
		out[i] = markerJSON{AtMS: m.At.Milliseconds(), Word: m.Word}
	}
	plain, _ := json.Marshal(out) // cannot fail: ints and strings
	k := subkey(recordingKey, infoMarkers)
	defer zero(k)
	defer zero(plain)
	return seal(k, plain, adMarkers+id)
}

// openMarkers reverses sealMarkers; nil sealed is no markers.
func openMarkers(recordingKey []byte, id string, sealed []byte) ([]Marker, error) {
	if sealed == nil {
		return nil, nil
	}
	k := subkey(recordingKey, infoMarkers)
	defer zero(k)
	plain, err := unseal(k, sealed, adMarkers+id)
	if err != nil {
		return nil, err
	}
	defer zero(plain)
	var in []markerJSON
	if err := json.Unmarshal(plain, &in); err != nil {
		return nil, fmt.Errorf("bad markers: %w", ErrTampered)
	}
	out := make([]Marker, len(in))
	for i, m := range in {
		out[i] = Marker{At: time.Duration(m.AtMS) * time.Millisecond, Word: m.Word}
	}
	return out, nil
}

// shortenMarkers keeps the markers before d, re-sealed under the
// recording's new key: those in the part deleted are deleted with it. Nil
// if none are left (or they do not open: a marker is not worth failing the
// deletion for).
func shortenMarkers(oldKey, newKey []byte, id string, sealed []byte, d time.Duration) []byte {
	ms, err := openMarkers(oldKey, id, sealed)
	if err != nil {
		return nil
	}
	kept := slices.DeleteFunc(ms, func(m Marker) bool { return m.At >= d })
	return sealMarkers(newKey, id, kept)
}
