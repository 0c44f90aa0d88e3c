package audio_test

import (
	"errors"
	"io"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/consent"
)

var checkStart = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// meterOver is a Meterable whose Meter reads Src, counted so that a test
// sees it closed. Src is real PCM; it is opened with a session's Grant
// only because PCMMic opens Sources for nothing else; the Meter answers to
// the check.
type meterOver struct {
	Src    *audiotest.CountingSource
	opened int
}

func (m *meterOver) OpenMeter(check consent.CheckGrant) (*audio.Meter, error) {
	m.opened++
	return audio.NewMeter(check, m.Src)
}

// countedPCM opens pcm as a counted Source.
func countedPCM(t *testing.T, pcm []int16) *audiotest.CountingSource {
	t.Helper()
	src, err := pcmMic(pcm).Open(audiotest.NewSession(t).Grant())
	if err != nil {
		t.Fatal(err)
	}
	return &audiotest.CountingSource{Src: src}
}

// A Meter, what a microphone check opens, gives out levels and nothing
// that holds or reaches the sound: no method returns samples, a Source or
// a reader, whoever holds it.
func TestMeterGivesOnlyLevels(t *testing.T) {
	typ := reflect.TypeFor[*audio.Meter]()
	allowed := map[reflect.Type]bool{reflect.TypeFor[int](): true, reflect.TypeFor[error](): true}
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		for o := range m.Type.NumOut() {
			if out := m.Type.Out(o); !allowed[out] {
				t.Errorf("Meter.%s returns a %v", m.Name, out)
			}
		}
	}
	if n := typ.Elem().NumField(); n > 0 {
		for i := range n {
			if f := typ.Elem().Field(i); f.IsExported() {
				t.Errorf("Meter has an exported field %s", f.Name)
			}
		}
	}
}

// The level check measures speech for Limit of audio and closes the
// microphone by itself; its levels are those of the audio it heard.
func TestMonitorMeasuresUpToItsLimit(t *testing.T) {
	pcm := speech(t)
	check := consent.NewMicCheck(checkStart)
	mic := &meterOver{Src: countedPCM(t, pcm)}
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
	if !mic.Src.Closed() {
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

// A check needs a valid CheckGrant like anything that opens a microphone:
// StartMonitor, PCMMic's OpenMeter and a Meter all refuse a stopped or
// zero one, and read nothing.
func TestMonitorNeedsAGrant(t *testing.T) {
	check := consent.NewMicCheck(checkStart)
	check.Stop()
	mic := &meterOver{Src: countedPCM(t, make([]int16, 1600))}
	r := &countingReader{}
	for name, c := range map[string]consent.CheckGrant{"zero": {}, "stopped check": check.Grant()} {
		t.Run(name, func(t *testing.T) {
			_, err := audio.StartMonitor(c, mic, audio.MonitorOptions{OnLevel: func(audio.Level) {}})
			if !errors.Is(err, audio.ErrGrantInvalid) {
				t.Errorf("StartMonitor: %v, want ErrGrantInvalid", err)
			}
			if _, err := (audio.PCMMic{R: r}).OpenMeter(c); !errors.Is(err, audio.ErrGrantInvalid) {
				t.Errorf("PCMMic.OpenMeter: %v, want ErrGrantInvalid", err)
			}
			if _, err := audio.NewMeter(c, mic.Src); !errors.Is(err, audio.ErrGrantInvalid) {
				t.Errorf("NewMeter: %v, want ErrGrantInvalid", err)
			}
		})
	}
	if mic.opened != 0 || r.reads != 0 || mic.Src.Reads() != 0 {
		t.Errorf("opened %d times, read %d and %d times", mic.opened, r.reads, mic.Src.Reads())
	}

	// A Meter whose check is stopped while it listens hears nothing more.
	live := consent.NewMicCheck(checkStart)
	meter, err := (audio.PCMMic{R: zeros{}}).OpenMeter(live.Grant())
	if err != nil {
		t.Fatal(err)
	}
	defer meter.Close()
	if n, err := meter.Listen(320, func(audio.Level) {}); n != 320 || err != nil {
		t.Fatalf("Listen: %d, %v", n, err)
	}
	live.Stop()
	if n, err := meter.Listen(320, func(audio.Level) {}); n != 0 || !errors.Is(err, audio.ErrGrantInvalid) {
		t.Errorf("Listen after the check stopped: %d, %v; want 0, ErrGrantInvalid", n, err)
	}
}

// countingReader counts its reads and gives silence.
type countingReader struct{ reads int }

func (r *countingReader) Read(p []byte) (int, error) { r.reads++; clear(p); return len(p), nil }

// zeros is endless silence.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

var _ io.Reader = zeros{}
