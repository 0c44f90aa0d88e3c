package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/assent-recorder/assent/app"
	"github.com/assent-recorder/assent/assets"
	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/portaudio"
	"github.com/assent-recorder/assent/storage"
)

// quitGrace is how long after Quit the process may take to end before it
// is ended regardless.
const quitGrace = 5 * time.Second

// runGUI opens the practice's data and runs the window until it is closed.
func runGUI(args []string, getenv func(string) string, stderr io.Writer) int {
	fs := newFlagSet("gui", stderr)
	data := dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "assent: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	dir, err := dataDir(*data, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "assent: %v\n", err)
		return exitUsage
	}
	// Opt-in measurements (diag.go): nothing unless asked for.
	defer startDiagnostics(getenv, stderr)()

	icon := fyne.NewStaticResource("icon.png", assets.IconPNG)
	fyneapp.SetMetadata(metadata(icon))
	a := fyneapp.NewWithID(appID)
	fyne.SetCurrentApp(newCalmApp(a)) // what widgets read: see calm.go
	a.SetIcon(icon)
	w := a.NewWindow("Assent")
	w.SetMaster()
	w.Resize(fyne.NewSize(960, 680))

	db, err := storage.Open(dir, storage.Options{})
	if err == nil {
		if err = db.ClaimForApp(); err != nil {
			db.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "assent: opening %s: %v\n", dir, err)
		app.ShowOpenProblem(w, dir, err)
		w.ShowAndRun()
		return exitProblems
	}
	opt := app.Options{DataDir: dir, Version: versionText(), Schedule: appSchedule(dir, getenv), NewEncoder: func(kbps int) audio.NewEncoderFunc {
		return lame.NewFunc(lame.Options{Bitrate: kbps})
	}}
	// Quit has ended the session and forgotten the keys before it asks
	// Fyne's loop to end; should the loop miss that (a rare race in Fyne
	// 2.7.1's shutdown, seen under a flood of screen updates), the
	// process still ends, with nothing left to do.
	opt.Quitting = func() {
		time.AfterFunc(quitGrace, func() {
			log.Printf("the window did not close within %v of quitting; everything was already saved: exiting", quitGrace)
			os.Exit(exitOK)
		})
	}
	host, err := portaudio.NewHost(log.Printf)
	if err != nil {
		// No sound system at all: the app still starts, and the consent
		// screen says recording is unavailable; notes only works.
		log.Printf("no audio: %v", err)
	} else {
		defer host.Close()
		opt.Speaker = host
		opt.Microphones = hostMicrophones{host}
		if devs, err := host.InputDevices(); err != nil || len(devs) == 0 {
			log.Printf("no microphone found (%v)", err)
		}
	}
	ui := app.New(a, w, db, opt)
	ui.Start()

	// A logout or `kill` ends the app the same way as Ctrl+Q: keys are
	// forgotten and the database is closed cleanly.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		if _, ok := <-stop; ok {
			fyne.Do(ui.Quit)
		}
	}()

	w.ShowAndRun()
	signal.Stop(stop)
	close(stop)
	ui.Shutdown() // the loop may have ended without ui.Quit (Fyne's own signal handling)
	ui.Wait()
	if err := db.Close(); err != nil {
		fmt.Fprintf(stderr, "assent: closing the database: %v\n", err)
		return exitProblems
	}
	return exitOK
}

// metadata is what FyneApp.toml declares, for builds made with plain
// `go build` (which does not read that file).
func metadata(icon fyne.Resource) fyne.AppMetadata {
	return fyne.AppMetadata{
		ID:         appID,
		Name:       "Assent",
		Version:    Version,
		Build:      1,
		Icon:       icon,
		Migrations: map[string]bool{"fyneDo": true},
	}
}

// hostMicrophones offers PortAudio's input devices to the app's settings
// and sessions.
type hostMicrophones struct{ host *portaudio.Host }

// Inputs names the input devices, the system's default first.
func (h hostMicrophones) Inputs() ([]string, error) {
	devs, err := h.host.InputDevices()
	names := make([]string, 0, len(devs))
	for _, d := range devs {
		names = append(names, d.Name)
	}
	return names, err
}

// Mic is the input device called name.
func (h hostMicrophones) Mic(name string) audio.Mic { return h.host.Mic(name) }

// Rescan has PortAudio look for devices again.
func (h hostMicrophones) Rescan() error { return h.host.Rescan() }

// appSchedule is the schedule the app offers, or nil (and a line in the
// log) when this binary cannot be found.
func appSchedule(dir string, getenv func(string) string) app.Schedule {
	s, err := newSchedule(dir, getenv)
	if err != nil {
		log.Printf("the hourly deletion check cannot be offered: %v", err)
		return nil
	}
	return s
}
