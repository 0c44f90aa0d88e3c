package consent_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// A microphone check's permission is valid until stopped, for every copy,
// and the zero one never is.
func TestMicCheckGrant(t *testing.T) {
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	c := consent.NewMicCheck(at)
	g := c.Grant()
	if !g.Valid() || !g.StartedAt().Equal(at) {
		t.Fatalf("a new check's grant: Valid %v, StartedAt %v", g.Valid(), g.StartedAt())
	}
	copyOfG := g
	c.Stop()
	c.Stop()
	if g.Valid() || copyOfG.Valid() || c.Grant().Valid() {
		t.Error("a stopped check's grant is still valid")
	}
	if (consent.CheckGrant{}).Valid() {
		t.Error("the zero CheckGrant is valid")
	}
}

// What a check allows can never be passed where a Grant is asked for: the
// types are not convertible either way, and nothing reachable from a
// MicCheck or a CheckGrant gives a Grant. (A conversion between two struct
// types of the same shape would compile, so the shapes must differ.)
func TestCheckGrantIsNotAGrant(t *testing.T) {
	grant, check := reflect.TypeFor[consent.Grant](), reflect.TypeFor[consent.CheckGrant]()
	if check.ConvertibleTo(grant) || grant.ConvertibleTo(check) {
		t.Error("a CheckGrant converts to a Grant or back")
	}
	for _, typ := range []reflect.Type{check, reflect.TypeFor[*consent.MicCheck]()} {
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			for o := range m.Type.NumOut() {
				if out := m.Type.Out(o); out == grant || out.ConvertibleTo(grant) {
					t.Errorf("%v.%s gives a %v", typ, m.Name, out)
				}
			}
		}
	}
}
