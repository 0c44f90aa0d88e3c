package storage_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// FuzzNotes replaces a session's sealed notes with arbitrary bytes, as a
// damaged disk or someone editing the database would, and reads them back.
// Notes must refuse anything it did not seal itself (ErrTampered) and never
// panic or return text that was not written.
func FuzzNotes(f *testing.F) {
	fx := newVault(f)
	s := fx.session(f)
	const text = "Talked about the week ahead."
	if err := fx.db.SaveNotes(s.ID, text, []byte("AINK\x01ink")); err != nil {
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
