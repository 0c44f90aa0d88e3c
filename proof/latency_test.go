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

// BenchmarkStartStopLatency measures, over 100 recordings per iteration
// through package session as the app runs it, with the real microphone
// path (PortAudio through ALSA to the test microphone), LAME and storage's
// sealing writer:
//
//   - start-p50-ms, start-p99-ms: from the last "yes" (session.Apply: the
//     step stored, a recording begun in storage, the device opened) to the
//     first frame read from the microphone: what the room waits for;
//   - stop-p50-ms, stop-p99-ms: from "Stop recording" (session.Apply of
//     the withdrawal) to the microphone's stream being closed (DESIGN.md:
//     within 100 ms).
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
	var src *firstReadSource
	wrapped := audio.MicFunc(func(g consent.Grant) (audio.Source, error) {
		s, err := host.Mic("").Open(g)
		if err != nil {
			return nil, err
		}
		src = &firstReadSource{Source: s, first: make(chan time.Time, 1), closed: make(chan time.Time, 1)}
		return src, nil
	})
	tr, err := startTrial(db, clientID, wrapped)
	if err != nil {
		b.Fatal(err)
	}
	if err := tr.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
		b.Fatal(err)
	}
	var starts, stops []time.Duration
	b.ResetTimer()
	for range b.N {
		for i := range runs {
			if i > 0 {
				if err := tr.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); err != nil {
					b.Fatal(err)
				}
			}
			t0 := time.Now()
			if err := tr.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(tr.anna()), Participant: tr.anna()}); err != nil {
				b.Fatal(err)
			}
			first := <-src.first
			t1 := time.Now()
			if err := tr.withdraw(consent.WithdrawKeep); err != nil {
				b.Fatal(err)
			}
			closed := <-src.closed
			starts = append(starts, first.Sub(t0))
			stops = append(stops, closed.Sub(t1))
		}
	}
	b.StopTimer()
	report := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		b.ReportMetric(ms(ds[len(ds)/2]), name+"-p50-ms")
		b.ReportMetric(ms(ds[len(ds)*99/100]), name+"-p99-ms")
	}
	report("start", starts)
	report("stop", stops)
	b.ReportMetric(0, "ns/op") // one op is 100 recordings; the percentiles are the figures
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
