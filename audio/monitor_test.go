package audio_test

import (
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/consent"
)

var checkStart = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// A microphone check's Grant may feed a level meter, never a recording:
// Start refuses it without touching the microphone.
func TestStartRefusesACheckGrant(t *testing.T) {
	check := consent.NewMicCheck(checkStart)
	opened := 0
	mic := audio.MicFunc(func(consent.Grant) (audio.Source, error) {
		opened++
		return nil, errors.New("must not be called")
	})
	_, err := audio.Start(check.Grant(), mic, &audiotest.Sink{}, audio.Options{NewEncoder: audiotest.NewRawEncoder})
	if !errors.Is(err, audio.ErrCheckOnly) {
		t.Errorf("Start with a check's Grant: %v, want ErrCheckOnly", err)
	}
	if opened != 0 {
		t.Errorf("Mic.Open called %d times", opened)
	}
}

// The level check measures speech for Limit of audio and closes the
// microphone by itself; its levels are those of the audio it heard.
func TestMonitorMeasuresUpToItsLimit(t *testing.T) {
	pcm := speech(t)
	check := consent.NewMicCheck(checkStart)
	var src *audiotest.CountingSource
	mic := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := pcmMic(pcm).Open(g)
		src = &audiotest.CountingSource{Src: s}
		return src, err
	})
	var levels []audio.Level
	var ends []audio.End
	m, err := audio.StartMonitor(check.Grant(), mic, audio.MonitorOptions{
		OnLevel: func(l audio.Level) { levels = append(levels, l) },
		OnEnd:   func(e audio.End) { ends = append(ends, e) },
		Limit:   time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	end := m.Wait()
	if end.Reason != audio.EndSourceEnded || end.Err != nil || end.Captured != time.Second {
		t.Fatalf("end %+v, want the source ended after exactly 1 s", end)
	}
	if len(ends) != 1 || ends[0] != end {
		t.Errorf("OnEnd got %v", ends)
	}
	if !src.Closed() {
		t.Error("the microphone was left open")
	}
	if want := int(time.Second / audio.LevelInterval); len(levels) != want {
		t.Errorf("%d levels, want %d", len(levels), want)
	}
	want := audio.MeasureLevel(pcm[:16000])
	loudest := audio.MinDBFS
	for _, l := range levels {
		loudest = max(loudest, l.Peak)
	}
	if loudest != want.Peak {
		t.Errorf("loudest peak %.1f dBFS, the first second's peak is %.1f", loudest, want.Peak)
	}
	if loudest < -30 {
		t.Errorf("speech peaks at %.1f dBFS: the fixture is too quiet to test a level", loudest)
	}
}

// Stopping the check (or its Grant) closes the microphone at the next frame.
func TestMonitorStops(t *testing.T) {
	endless := audio.PCMMic{R: zeros{}, Rate: 16000}
	for name, stop := range map[string]func(*consent.MicCheck, *audio.Monitor) audio.End{
		"Stop":          func(_ *consent.MicCheck, m *audio.Monitor) audio.End { return m.Stop() },
		"grant revoked": func(c *consent.MicCheck, m *audio.Monitor) audio.End { c.Stop(); return m.Wait() },
	} {
		t.Run(name, func(t *testing.T) {
			check := consent.NewMicCheck(checkStart)
			var mu sync.Mutex
			heard := 0
			first := make(chan struct{})
			m, err := audio.StartMonitor(check.Grant(), endless, audio.MonitorOptions{
				OnLevel: func(audio.Level) {
					mu.Lock()
					defer mu.Unlock()
					if heard++; heard == 1 {
						close(first)
					}
				},
				Limit: time.Hour,
			})
			if err != nil {
				t.Fatal(err)
			}
			<-first
			end := stop(check, m)
			want := audio.EndStopped
			if name != "Stop" {
				want = audio.EndGrantInvalid
			}
			if end.Reason != want || end.Captured >= time.Hour {
				t.Errorf("end %+v, want %v well before the hour", end, want)
			}
			select {
			case <-m.Done():
			default:
				t.Error("Done not closed")
			}
		})
	}
}

// A check needs a valid Grant like anything that opens a microphone.
func TestMonitorNeedsAGrant(t *testing.T) {
	check := consent.NewMicCheck(checkStart)
	check.Stop()
	opened := 0
	mic := audio.MicFunc(func(consent.Grant) (audio.Source, error) { opened++; return nil, nil })
	for name, g := range map[string]consent.Grant{"zero": {}, "stopped check": check.Grant()} {
		_, err := audio.StartMonitor(g, mic, audio.MonitorOptions{OnLevel: func(audio.Level) {}})
		if !errors.Is(err, audio.ErrGrantInvalid) {
			t.Errorf("%s: %v, want ErrGrantInvalid", name, err)
		}
	}
	if opened != 0 {
		t.Errorf("Mic.Open called %d times", opened)
	}
}

// zeros is endless silence.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

var _ io.Reader = zeros{}
