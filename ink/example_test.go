package ink_test

import (
	"errors"
	"fmt"

	"github.com/assent-recorder/assent/ink"
)

// A sheet with one short pen stroke, saved and read back.
func Example() {
	sheets := []ink.Sheet{{Strokes: []ink.Stroke{{
		Width:  ink.PenWidth,
		Points: []ink.Point{{X: 1000, Y: 2000}, {X: 1010, Y: 1995}, {X: 1030, Y: 1990}},
	}}}}
	data, err := ink.Encode(sheets)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", data)

	back, err := ink.Decode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(back), "sheet:", back[0].Strokes[0].Points)
	// Output:
	// 41 49 4e 4b 01 01 01 1c 03 e8 07 d0 0f 14 09 28 09
	// 1 sheet: [{1000 2000} {1010 1995} {1030 1990}]
}

// Handwriting saved by a newer Assent is refused, and says so.
func ExampleDecode() {
	_, err := ink.Decode([]byte("AINK\x03\x00"))
	fmt.Println(errors.Is(err, ink.ErrBadEncoding), errors.Is(err, ink.ErrUnsupportedVersion))
	fmt.Println(err)

	sheets, err := ink.Decode(nil)
	fmt.Println(len(sheets), err)
	// Output:
	// true true
	// decoding ink: bad ink encoding: unsupported ink version: version 3, this Assent reads 1 and 2
	// 0 <nil>
}
