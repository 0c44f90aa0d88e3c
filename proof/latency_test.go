package proof_test

import (
	"slices"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/portaudio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// BenchmarkStartStopLatency measures the two rows of issue #9's table that
// no package benchmark gives, over 100 recordings per iteration, each with
// the real microphone path (PortAudio through ALSA to the test microphone),
// LAME and storage's sealing writer:
//
//   - start-p50-ms, start-p99-ms: from audio.Start with a valid Grant to the
//     first frame read from the microphone;
//   - app-start-p50-ms, app-start-p99-ms: the same from just before
//     storage.NewRecording, which the app calls first (a transaction, a new
//     file and two fsyncs): what the room waits for after the last "yes";
//   - stop-p50-ms, stop-p99-ms: End.StopLatency, from Stop to the
//     microphone being closed (DESIGN.md: within 100 ms).
//
// The ALSA file device answers reads at once, so these measure Assent,
// PortAudio and ALSA's plugins, not a sound card's buffering.
//
//	go test -run '^$' -bench StartStopLatency -benchtime 1x ./proof/
func BenchmarkStartStopLatency(b *testing.B) {
	const runs = 100
	mic := testmic.New(b, speechText)
	b.Setenv("HOME", mic.Home) // ALSA reads ~/.asoundrc when PortAudio starts
	host, err := portaudio.NewHost(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer host.Close()
	dir, clientID := newFolder(b)
	db, err := storage.Open(dir, storageOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Unlock(passphrase); err != nil {
		b.Fatal(err)
	}
	run, err := beginSession(db, clientID)
	if err != nil {
		b.Fatal(err)
	}
	g, err := run.askAndConfirm()
	if err != nil {
		b.Fatal(err)
	}
	var starts, appStarts, stops []time.Duration
	b.ResetTimer()
	for range b.N {
		for range runs {
			src := &firstReadSource{first: make(chan time.Time, 1)}
			wrapped := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
				s, err := host.Mic("").Open(g)
				if err != nil {
					return nil, err
				}
				src.Source = s
				return src, nil
			})
			t0 := time.Now()
			w, err := run.newRecording(g)
			if err != nil {
				b.Fatal(err)
			}
			sink := &recordingSink{w: w}
			t1 := time.Now()
			rec, err := audio.Start(g, wrapped, sink, audioOptions())
			if err != nil {
				b.Fatal(err)
			}
			first := <-src.first
			end := rec.Stop()
			if end.Reason != audio.EndStopped {
				b.Fatalf("recording ended: %v", end)
			}
			if err := sink.seal(w, end); err != nil {
				b.Fatal(err)
			}
			starts = append(starts, first.Sub(t1))
			appStarts = append(appStarts, first.Sub(t0))
			stops = append(stops, end.StopLatency)
		}
	}
	b.StopTimer()
	report := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		b.ReportMetric(ms(ds[len(ds)/2]), name+"-p50-ms")
		b.ReportMetric(ms(ds[len(ds)*99/100]), name+"-p99-ms")
	}
	report("start", starts)
	report("app-start", appStarts)
	report("stop", stops)
	b.ReportMetric(0, "ns/op") // one op is 100 recordings; the percentiles are the figures
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
