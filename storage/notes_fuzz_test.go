package storage_test

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// FuzzNotes replaces a session's sealed notes with arbitrary bytes, as a
// damaged disk or someone editing the database would, and reads them back.
// Notes must refuse anything it did not seal itself (ErrTampered) and never
// panic or return text that was not written. Authentication refuses every
// change, so this never reaches the decoder behind the seal:
// FuzzNotesPlaintext does.
func FuzzNotes(f *testing.F) {
	fx := newVault(f)
	s := fx.session(f)
	const text = "Talked about the week ahead."
	if err := fx.db.SaveNotes(s.ID, storage.Notes{Text: text, Ink: []byte("AINK\x01ink")}); err != nil {
		f.Fatal(err)
	}
	raw, err := sql.Open("sqlite", storage.DSN(fx.dir))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { raw.Close() })
	var sealed []byte
	if err := raw.QueryRow("SELECT sealed FROM notes WHERE session_id = ?", s.ID).Scan(&sealed); err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add([]byte{})
	f.Add(sealed[:len(sealed)/2])
	flipped := append([]byte(nil), sealed...)
	flipped[len(flipped)-1] ^= 1
	f.Add(flipped)

	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := raw.Exec("UPDATE notes SET sealed = ? WHERE session_id = ?", data, s.ID); err != nil {
			t.Fatal(err)
		}
		n, err := fx.db.Notes(s.ID)
		switch {
		case err == nil && string(data) == string(sealed):
			if n.Text != text {
				t.Fatalf("the original notes read back as %q", n.Text)
			}
		case err == nil:
			t.Fatalf("altered notes were accepted: %q", n.Text)
		case !errors.Is(err, storage.ErrTampered):
			t.Fatalf("altered notes gave %v, want ErrTampered", err)
		}
	})
}

// FuzzNotesPlaintext reaches the notes decoder that FuzzNotes cannot: it
// seals arbitrary bytes as a session's notes plaintext under a known key,
// as a bug in SaveNotes or a future format might, then opens and decodes
// them as Notes does. The decoder must never panic, must refuse what
// SaveNotes could not have sealed with ErrTampered, and what it accepts
// must encode back to exactly the bytes that were sealed.
func FuzzNotesPlaintext(f *testing.F) {
	key := bytes.Repeat([]byte{0x5e}, 32)
	const sessionID, rev = "00112233445566778899aabbccddeeff", 3
	f.Add(storage.EncodeNotes(storage.Notes{Text: "Talked about the week ahead.", Process: "my hunch", Ink: []byte("AINK\x01ink")}))
	f.Add(storage.EncodeNotes(storage.Notes{Text: "text only"}))
	f.Add(storage.EncodeNotes(storage.Notes{Process: "process only"}))
	f.Add(storage.EncodeNotes(storage.Notes{Ink: []byte("ink only")}))
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{0, 0, 0, 5, 'a', 'b'})            // a length past the end
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 'a'})     // a huge length
	f.Add([]byte{0, 0, 0, 2, 0xff, 0xfe, 0, 0x80}) // text that is not UTF-8
	f.Fuzz(func(t *testing.T, plain []byte) {
		sealed := storage.SealNotes(key, sessionID, rev, storage.NotesLayout, plain)
		n, err := storage.OpenNotes(key, sessionID, rev, storage.NotesLayout, sealed)
		// Two texts, each a 4-byte length and that many bytes, then ink.
		wellFormed, rest := true, plain
		for range 2 {
			if len(rest) < 4 || uint64(binary.BigEndian.Uint32(rest)) > uint64(len(rest)-4) {
				wellFormed = false
				break
			}
			rest = rest[4+binary.BigEndian.Uint32(rest):]
		}
		switch {
		case err != nil && !errors.Is(err, storage.ErrTampered):
			t.Fatalf("refused with %v, want ErrTampered", err)
		case err != nil && wellFormed:
			t.Fatalf("refused a well-formed plaintext: %v", err)
		case err == nil && !wellFormed:
			t.Fatalf("accepted a malformed plaintext of %d bytes as %q", len(plain), n.Text)
		case err == nil && !bytes.Equal(storage.EncodeNotes(n), plain):
			t.Fatalf("decoded %q, %q and %d ink bytes, which encode to other bytes than were sealed", n.Text, n.Process, len(n.Ink))
		}
	})
}
