package storage_test

import (
	"errors"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// TestClientLanguage checks that a client's language is stored and read
// back, and that a language with no wording, or an unknown client, is
// refused.
func TestClientLanguage(t *testing.T) {
	f := newVault(t)
	c, err := f.db.CreateClient("A.B.")
	if err != nil {
		t.Fatal(err)
	}
	if c.Language != "" {
		t.Errorf("a new client's language = %q, want the default \"\"", c.Language)
	}
	if err := f.db.SetClientLanguage(c.ID, "es"); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetClientLanguage(c.ID, "tlh"); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("SetClientLanguage(tlh) = %v, want ErrInvalid", err)
	}
	if err := f.db.SetClientLanguage("nobody", "fr"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetClientLanguage(nobody) = %v, want ErrNotFound", err)
	}
	got, err := f.db.Client(c.ID)
	if err != nil || got.Language != "es" {
		t.Errorf("Client = %+v, %v; want language es", got, err)
	}
	all, err := f.db.Clients()
	if err != nil || len(all) != 1 || all[0].Language != "es" {
		t.Errorf("Clients = %+v, %v; want one in es", all, err)
	}
}
