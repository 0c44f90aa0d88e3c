package ink_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/assent-recorder/assent/ink"
)

// sameSheets compares sheets, treating no strokes and an empty list alike.
func sameSheets(a, b []ink.Sheet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || len(a[i].Strokes) != len(b[i].Strokes) {
			return false
		}
		for j := range a[i].Strokes {
			if !reflect.DeepEqual(a[i].Strokes[j], b[i].Strokes[j]) {
				return false
			}
		}
	}
	return true
}

// walk is a stroke of n points wandering from the middle of the sheet as
// a hand does, in small steps.
func walk(n int, seed uint64) ink.Stroke {
	r := rand.New(rand.NewPCG(seed, 1))
	s := ink.Stroke{Width: ink.PenWidth, Points: make([]ink.Point, n)}
	x, y := int64(ink.MaxCoord/2), int64(ink.MaxCoord/2)
	for i := range s.Points {
		x = max(0, min(ink.MaxCoord, x+r.Int64N(121)-60))
		y = max(0, min(ink.MaxCoord, y+r.Int64N(121)-60))
		s.Points[i] = ink.Point{X: uint16(x), Y: uint16(y)}
	}
	return s
}

// corners goes from corner to corner of the sheet, the largest jumps a
// point can make.
var corners = ink.Stroke{Width: 1, Points: []ink.Point{{0, 0}, {ink.MaxCoord, ink.MaxCoord}, {0, ink.MaxCoord}, {ink.MaxCoord, 0}, {0, 0}}}

func TestRoundTrip(t *testing.T) {
	long := walk(10_000, 1)
	for _, c := range []struct {
		name   string
		sheets []ink.Sheet
	}{
		{"no sheets", nil},
		{"one empty sheet", []ink.Sheet{{}}},
		{"MaxPages empty sheets", make([]ink.Sheet, ink.MaxPages)},
		{"empty sheets around a drawn one", []ink.Sheet{{}, {Strokes: []ink.Stroke{corners}}, {}}},
		{"a dot", []ink.Sheet{{Strokes: []ink.Stroke{{Width: ink.PenWidth, Points: []ink.Point{{1, 2}}}}}}},
		{"dots in the corners", []ink.Sheet{{Strokes: []ink.Stroke{
			{Width: 1, Points: []ink.Point{{0, 0}}},
			{Width: 1, Points: []ink.Point{{ink.MaxCoord, ink.MaxCoord}}},
		}}}},
		{"corner to corner, widest pen", []ink.Sheet{{Strokes: []ink.Stroke{corners, {Width: ink.MaxWidth, Points: corners.Points}}}}},
		// Where a varint takes one byte more: 127/128 and 16383/16384,
		// and deltas of ±63/64 and ±8191/8192.
		{"varint edges", []ink.Sheet{{Strokes: []ink.Stroke{
			{Width: 127, Points: []ink.Point{{127, 128}, {190, 64}, {126, 0}, {8318, 8191}, {126, 16383}, {16384, 8191}}},
			{Width: 128, Points: []ink.Point{{16383, 16384}}},
		}}}},
		{"10,000 points", []ink.Sheet{{Strokes: []ink.Stroke{long}}}},
		{"process and progress pages", []ink.Sheet{{Kind: ink.Process, Strokes: []ink.Stroke{corners}}, {}, {Kind: ink.Process}}},
		{"the longest stroke", []ink.Sheet{{Strokes: []ink.Stroke{walk(ink.MaxStrokePoints, 2)}}}},
		{"many strokes on many sheets", func() []ink.Sheet {
			sheets := make([]ink.Sheet, 50)
			for i := range sheets {
				for j := range 20 {
					sheets[i].Strokes = append(sheets[i].Strokes, walk(1+j*7, uint64(i*100+j)))
				}
			}
			return sheets
		}()},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := ink.Encode(c.sheets)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ink.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !sameSheets(got, c.sheets) {
				t.Fatal("decoded sheets differ from the encoded ones")
			}
		})
	}
	t.Run("compact", func(t *testing.T) {
		b, err := ink.Encode([]ink.Sheet{{Strokes: []ink.Stroke{long}}})
		if err != nil {
			t.Fatal(err)
		}
		if perPoint := float64(len(b)) / 10_000; perPoint > 2.1 {
			t.Errorf("%.2f bytes a point, want about 2", perPoint)
		}
	})
	t.Run("nothing saved", func(t *testing.T) {
		if sheets, err := ink.Decode(nil); sheets != nil || err != nil {
			t.Errorf("Decode(nil) = %v, %v; want no sheets, no error", sheets, err)
		}
	})
}

func TestEncodeRefuses(t *testing.T) {
	for _, c := range []struct {
		name   string
		sheets []ink.Sheet
		want   error
	}{
		{"ErrOverLimit sheets", make([]ink.Sheet, ink.MaxPages+1), ink.ErrOverLimit},
		{"ErrOverLimit points", []ink.Sheet{{Strokes: []ink.Stroke{{Width: 1, Points: make([]ink.Point, ink.MaxStrokePoints+1)}}}}, ink.ErrOverLimit},
		{"ErrEmptyStroke", []ink.Sheet{{}, {Strokes: []ink.Stroke{corners, {Width: ink.PenWidth}}}}, ink.ErrEmptyStroke},
		{"ErrBadWidth 0", []ink.Sheet{{Strokes: []ink.Stroke{{Width: 0, Points: []ink.Point{{1, 1}}}}}}, ink.ErrBadWidth},
		{"ErrBadWidth over MaxWidth", []ink.Sheet{{Strokes: []ink.Stroke{{Width: ink.MaxWidth + 1, Points: []ink.Point{{1, 1}}}}}}, ink.ErrBadWidth},
		{"ErrBadKind", []ink.Sheet{{}, {Kind: 2}}, ink.ErrBadKind},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := ink.Encode(c.sheets)
			switch {
			case err == nil:
				t.Fatalf("encoded %d bytes of sheets Decode would refuse", len(b))
			case !errors.Is(err, c.want):
				t.Errorf("error %v does not wrap %v", err, c.want)
			case errors.Is(err, ink.ErrBadEncoding):
				t.Errorf("error %v says the input bytes were bad; there were none", err)
			case b != nil:
				t.Errorf("refused, yet wrote %d bytes", len(b))
			}
		})
	}
}

// Pages that are all progress notes are written as version 1, which
// earlier versions read; a process page makes the encoding version 2.
func TestEncodeVersionByKinds(t *testing.T) {
	for _, c := range []struct {
		sheets  []ink.Sheet
		version byte
	}{
		{nil, 1},
		{[]ink.Sheet{{Strokes: []ink.Stroke{corners}}, {}}, 1},
		{[]ink.Sheet{{Strokes: []ink.Stroke{corners}}, {Kind: ink.Process}}, 2},
	} {
		b, err := ink.Encode(c.sheets)
		if err != nil || b[4] != c.version {
			t.Errorf("%d sheets: version %d, %v; want %d", len(c.sheets), b[4], err, c.version)
		}
	}
	if got := ink.Shareable([]ink.Sheet{{Kind: ink.Process}, {Strokes: []ink.Stroke{corners}}, {Kind: ink.Process}}); len(got) != 1 || len(got[0].Strokes) != 1 {
		t.Errorf("Shareable kept %d sheets, want the one progress sheet", len(got))
	}
}

// seed is an encoding for the decoder tests and the fuzzer's seed corpus,
// and the sentinel Decode refuses it with (nil: it decodes).
type seed struct {
	data []byte
	want error
}

// seeds are valid encodings of every shape and damaged ones that reach
// each of the decoder's checks, by name (the corpus file names).
func seeds(t testing.TB) map[string]seed {
	t.Helper()
	enc := func(sheets []ink.Sheet) []byte {
		b, err := ink.Encode(sheets)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	valid := enc([]ink.Sheet{{Strokes: []ink.Stroke{{Width: 3, Points: []ink.Point{{10, 10}, {20, 5}, {65535, 0}}}}}, {}})
	head := func(b ...byte) []byte { return append([]byte("AINK\x01"), b...) }
	return map[string]seed{
		"valid":              {valid, nil},
		"empty_pages":        {enc([]ink.Sheet{{}, {}}), nil},
		"no_pages":           {enc(nil), nil},
		"dot":                {enc([]ink.Sheet{{Strokes: []ink.Stroke{{Width: 1, Points: []ink.Point{{0, 65535}}}}}}), nil},
		"walk":               {enc([]ink.Sheet{{Strokes: []ink.Stroke{walk(40, 3), walk(3, 4)}}}), nil},
		"empty":              {[]byte{}, nil},
		"delta_back_to_zero": {head(1, 1, 3, 2, 0x10, 0x10, 0x1f, 0x1f), nil},
		"max_pages":          {head(append([]byte{0xe8, 0x07}, make([]byte, ink.MaxPages)...)...), nil},
		"bad_magic":          {append([]byte("XINK"), valid[4:]...), ink.ErrNotInk},
		"magic_only":         {[]byte("AINK"), ink.ErrNotInk},
		"one_byte":           {[]byte{0}, ink.ErrNotInk},
		"version_3":          {append([]byte("AINK\x03"), valid[5:]...), ink.ErrUnsupportedVersion},
		"kinds":              {enc([]ink.Sheet{{Kind: ink.Process, Strokes: []ink.Stroke{walk(5, 5)}}, {}}), nil},
		"v2_all_progress":    {[]byte("AINK\x02\x01\x00\x00"), nil},
		"bad_kind":           {[]byte("AINK\x02\x01\x02\x00"), ink.ErrBadKind},
		"v2_no_kind":         {[]byte("AINK\x02\x01\x00"), ink.ErrTruncated},
		"truncated":          {valid[:len(valid)-1], ink.ErrTruncated},
		"trailing":           {append(append([]byte(nil), valid...), 0), ink.ErrTrailing},
		"huge_page_count":    {head(0xff, 0xff, 0xff, 0xff, 0x0f), ink.ErrOverLimit},
		"too_many_pages":     {head(append([]byte{0xe9, 0x07}, make([]byte, ink.MaxPages+1)...)...), ink.ErrOverLimit},
		"huge_stroke_count":  {head(1, 0xff, 0xff, 0xff, 0x7f), ink.ErrTruncated},
		"huge_point_count":   {head(1, 1, 3, 0xff, 0xff, 0x03, 0, 0), ink.ErrTruncated},
		"too_many_points":    {head(1, 1, 3, 0x81, 0x80, 0x04, 0, 0), ink.ErrOverLimit},
		"zero_width":         {head(1, 1, 0, 1, 0, 0), ink.ErrBadWidth},
		"width_over_max":     {head(1, 1, 0xe9, 0x07, 1, 0, 0), ink.ErrBadWidth},
		"no_points":          {head(1, 1, 3, 0, 0, 0), ink.ErrEmptyStroke},
		"x_off_page":         {head(1, 1, 3, 1, 0x80, 0x80, 0x04, 0), ink.ErrOffSheet},
		"delta_off_page":     {head(1, 1, 3, 2, 0, 0, 1, 0), ink.ErrOffSheet},
		"delta_too_large":    {head(1, 1, 3, 2, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0), ink.ErrOffSheet},
		"varint_overflow":    {head(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), ink.ErrOverLimit},
	}
}

func TestDecodeRefusals(t *testing.T) {
	all := []error{ink.ErrNotInk, ink.ErrUnsupportedVersion, ink.ErrTruncated, ink.ErrTrailing,
		ink.ErrOverLimit, ink.ErrEmptyStroke, ink.ErrBadWidth, ink.ErrOffSheet, ink.ErrBadKind}
	for name, s := range seeds(t) {
		t.Run(name, func(t *testing.T) {
			sheets, err := ink.Decode(s.data)
			if s.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("decoded %d sheets from damaged input", len(sheets))
			}
			if !errors.Is(err, ink.ErrBadEncoding) || !errors.Is(err, s.want) {
				t.Fatalf("error %v, want %v and %v", err, ink.ErrBadEncoding, s.want)
			}
			for _, other := range all {
				if other != s.want && errors.Is(err, other) {
					t.Errorf("error %v also wraps %v", err, other)
				}
			}
		})
	}
	// Every cut of a valid encoding is refused (except the empty one,
	// which is "no handwriting"): the first five bytes are the magic and
	// the version, after which the bytes end too soon.
	t.Run("every cut", func(t *testing.T) {
		valid := seeds(t)["walk"].data
		for n := 1; n < len(valid); n++ {
			want := ink.ErrTruncated
			if n < 5 {
				want = ink.ErrNotInk
			}
			if _, err := ink.Decode(valid[:n]); !errors.Is(err, want) {
				t.Errorf("the first %d of %d bytes: %v, want %v", n, len(valid), err, want)
			}
		}
	})
}

// goldenSheets are the sheets whose encoding is testdata/v1.golden: every
// field of the format at its smallest and largest, and deltas of one, two
// and three bytes, both ways.
func goldenSheets() []ink.Sheet {
	wave := ink.Stroke{Width: ink.PenWidth, Points: make([]ink.Point, 300)}
	for i := range wave.Points {
		wave.Points[i] = ink.Point{X: uint16(1000 + i*150 + i%7*13), Y: uint16(30000 + i*i*37%2001 - 1000)}
	}
	hook := ink.Stroke{Width: 127, Points: []ink.Point{{40000, 20000}, {40063, 20000}, {40000, 19936}, {48192, 19936}, {40000, 11744}, {40000, 20000}}}
	return []ink.Sheet{
		{Strokes: []ink.Stroke{corners, {Width: ink.PenWidth, Points: []ink.Point{{32768, 23170}}}, wave}},
		{},
		{Strokes: []ink.Stroke{{Width: ink.MaxWidth, Points: corners.Points[:2]}, hook, {Width: 128, Points: []ink.Point{{ink.MaxCoord, ink.MaxCoord}}}}},
	}
}

// TestGoldenV1 holds the format to notes saved by earlier versions:
// testdata/v1.golden was written by the encoder as it was in package app
// (commit d8a80d3) and must never be rewritten.
func TestGoldenV1(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "v1.golden"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ink.Decode(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSheets(got, goldenSheets()) {
		t.Error("the golden encoding decodes to other sheets")
	}
	b, err := ink.Encode(goldenSheets())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, golden) {
		t.Error("the golden sheets encode to other bytes")
	}
}

// FuzzDecode feeds arbitrary bytes to Decode: it must never panic, refuse
// only with ErrBadEncoding, and what it accepts must encode again, in no
// more bytes, to sheets that decode the same.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sheets, err := ink.Decode(data)
		if err != nil {
			if !errors.Is(err, ink.ErrBadEncoding) {
				t.Fatalf("error %v does not wrap ErrBadEncoding", err)
			}
			return
		}
		b, err := ink.Encode(sheets)
		if err != nil {
			t.Fatalf("decoded sheets do not encode: %v", err)
		}
		again, err := ink.Decode(b)
		if err != nil || !sameSheets(again, sheets) {
			t.Fatalf("re-encoded sheets decode differently: %v", err)
		}
		if len(data) > 0 && len(b) > len(data) {
			t.Fatalf("%d bytes re-encode to %d", len(data), len(b))
		}
	})
}

// TestWriteFuzzCorpus rewrites testdata/fuzz/FuzzDecode from seeds when
// ASSENT_WRITE_CORPUS=1.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("ASSENT_WRITE_CORPUS") != "1" {
		t.Skip("set ASSENT_WRITE_CORPUS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, s := range seeds(t) {
		corpus := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s.data)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(corpus), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
