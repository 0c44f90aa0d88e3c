// Command fynefloor is the least a Fyne window costs the laptop, the floor
// that BenchmarkQuiet (cmd/assent) measures Assent's screens against in the
// same run, as it measures recording against the lame command.
//
// It shows one full-screen window, in Fyne's own theme with animations as
// Fyne has them, holding nothing but a small square. With -hz N it
// recolours the square N times a second: each time, Fyne redraws the whole
// window, as it does for each move of Assent's level meter. Without, it
// sits still: what Fyne's event loop costs while nothing changes.
//
//	fynefloor [-hz N]
package main

import (
	"flag"
	"fmt"
	"image/color"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

func main() {
	hz := flag.Int("hz", 0, "recolour the square, and so redraw the window, this many times a second")
	flag.Parse()
	if *hz < 0 || *hz > 1000 {
		fmt.Fprintln(os.Stderr, "fynefloor: -hz must be 0–1000")
		os.Exit(2)
	}
	a := app.New()
	w := a.NewWindow("Fyne floor")
	colours := [2]color.Color{color.NRGBA{R: 0xd0, A: 0xff}, color.NRGBA{G: 0xd0, A: 0xff}}
	square := canvas.NewRectangle(colours[0])
	square.SetMinSize(fyne.NewSize(20, 20))
	w.SetContent(container.NewCenter(square))
	w.SetFullScreen(true)
	if *hz > 0 {
		go func() {
			t := time.NewTicker(time.Second / time.Duration(*hz))
			for i := 1; ; i++ {
				<-t.C
				fyne.Do(func() {
					square.FillColor = colours[i%2]
					square.Refresh()
				})
			}
		}()
	}
	w.ShowAndRun()
}
