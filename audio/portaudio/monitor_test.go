package portaudio_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/consent"
)

// The settings screen's level test on the real device: under a microphone
// check's Grant the ALSA test microphone opens, its speech shows in the
// levels, and it is closed when the check ends; the same Grant cannot start
// a recording, and the device is not opened for that attempt.
func TestMicCheckOnTheDevice(t *testing.T) {
	mic, host := setup(t, "One, two, three: can you hear me?")
	check := consent.NewMicCheck(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))

	rec, err := audio.Start(check.Grant(), host.Mic(""), &audiotest.Sink{}, audio.Options{NewEncoder: lame.NewFunc(lame.Options{})})
	if !errors.Is(err, audio.ErrCheckOnly) || rec != nil {
		t.Fatalf("Start with a check's Grant: %v", err)
	}
	if fixtureOpen(t, mic.Infile) {
		t.Fatal("the device was opened for a recording under a check's Grant")
	}

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
	if _, err := audio.StartMonitor(check.Grant(), host.Mic(""), audio.MonitorOptions{OnLevel: func(audio.Level) {}}); !errors.Is(err, audio.ErrGrantInvalid) {
		t.Errorf("a stopped check's Grant: %v", err)
	}
}
