package portaudio_test

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/portaudio"
	"github.com/assent-recorder/assent/consent"
)

// The settings screen's level test on the real device: under a microphone
// check the ALSA test microphone opens, its speech shows in the levels, and
// it is closed when the check ends. A stopped (or zero) check opens
// nothing: the device's own OpenMeter refuses it before touching ALSA.
func TestMicCheckOnTheDevice(t *testing.T) {
	mic, host := setup(t, "One, two, three: can you hear me?")
	check := consent.NewMicCheck(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))

	loudest := audio.MinDBFS
	first, looked := make(chan struct{}), make(chan struct{})
	var once sync.Once
	m, err := audio.StartMonitor(check.Grant(), host.Mic(""), audio.MonitorOptions{
		OnLevel: func(l audio.Level) {
			loudest = max(loudest, l.Peak)
			once.Do(func() { // hold the capture while the test looks
				close(first)
				<-looked
			})
		},
		Limit: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	<-first
	open := fixtureOpen(t, mic.Infile)
	close(looked)
	end := m.Wait()
	if !open {
		t.Error("the check is blind: the device did not show as open while measuring")
	}
	if end.Reason != audio.EndSourceEnded || end.Captured != 2*time.Second {
		t.Errorf("end %+v, want 2 s of audio then closed", end)
	}
	if loudest < -30 {
		t.Errorf("the speech fixture peaked at %.1f dBFS in the level test", loudest)
	}
	if fixtureOpen(t, mic.Infile) {
		t.Error("the device is still open after the check")
	}

	check.Stop()
	for name, c := range map[string]consent.CheckGrant{"zero": {}, "stopped": check.Grant()} {
		if meter, err := host.Mic("").OpenMeter(c); !errors.Is(err, audio.ErrGrantInvalid) || meter != nil {
			t.Errorf("OpenMeter with a %s check: %v", name, err)
		}
		if _, err := audio.StartMonitor(c, host.Mic(""), audio.MonitorOptions{OnLevel: func(audio.Level) {}}); !errors.Is(err, audio.ErrGrantInvalid) {
			t.Errorf("StartMonitor with a %s check: %v", name, err)
		}
		if fixtureOpen(t, mic.Infile) {
			t.Errorf("the device was opened for a %s check", name)
		}
	}
}

// A check is stopped while its Meter is open on the device: the next
// Listen reads nothing, and Close closes the device.
func TestStoppedCheckStopsTheDevice(t *testing.T) {
	mic, host := setup(t, "Testing, testing.")
	check := consent.NewMicCheck(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))
	meter, err := host.Mic("").OpenMeter(check.Grant())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := meter.Listen(320, func(audio.Level) {}); n == 0 || err != nil {
		t.Fatalf("Listen: %d, %v", n, err)
	}
	if !fixtureOpen(t, mic.Infile) {
		t.Fatal("the check is blind: the open device does not show")
	}
	check.Stop()
	if n, err := meter.Listen(320, func(audio.Level) {}); n != 0 || !errors.Is(err, audio.ErrGrantInvalid) {
		t.Errorf("Listen after the check stopped: %d, %v", n, err)
	}
	if err := meter.Close(); err != nil {
		t.Fatal(err)
	}
	if fixtureOpen(t, mic.Infile) {
		t.Error("the device is still open after Close")
	}
}

// Only a session's Grant opens the device for anything but levels: the
// Mic's Open takes a consent.Grant, and a microphone check's CheckGrant
// can be neither assigned nor converted to one, so no code holding only a
// check can call it (the compiler refuses: "cannot use check.Grant() (value
// of struct type consent.CheckGrant) as consent.Grant value"). OpenMeter,
// what a check can call, gives a Meter, not a Source.
func TestOpenTakesOnlyASessionsGrant(t *testing.T) {
	open := reflect.TypeOf((*portaudio.Mic).Open)
	check := reflect.TypeFor[consent.CheckGrant]()
	if got := open.In(1); got != reflect.TypeFor[consent.Grant]() || check.AssignableTo(got) || check.ConvertibleTo(got) {
		t.Errorf("Mic.Open takes a %v; a CheckGrant assignable %v, convertible %v", got, check.AssignableTo(got), check.ConvertibleTo(got))
	}
	meter := reflect.TypeOf((*portaudio.Mic).OpenMeter)
	if meter.In(1) != check || meter.Out(0) != reflect.TypeFor[*audio.Meter]() {
		t.Errorf("Mic.OpenMeter is %v", meter)
	}
}
