package audio_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
)

// decodeStereo decodes b with go-mp3 into interleaved stereo samples.
func decodeStereo(t *testing.T, b []byte) []int16 {
	t.Helper()
	d, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(d)
	if err != nil {
		t.Fatal(err)
	}
	return audiotest.Samples(raw)
}

func waitEnded(t *testing.T, p *audio.Player) {
	t.Helper()
	select {
	case <-p.Ended():
	case <-time.After(10 * time.Second):
		t.Fatal("player did not end")
	}
}

// TestPlayerPlaysEverything: the Output receives exactly what go-mp3
// decodes, then is drained and closed; Position reaches Duration.
func TestPlayerPlaysEverything(t *testing.T) {
	b := audio.ChimeStart.MP3()
	want := decodeStereo(t, b)
	spk := &audiotest.Speaker{}
	p, err := audio.NewPlayer(bytes.NewReader(b), spk)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.SampleRate() != 44100 {
		t.Errorf("rate %d", p.SampleRate())
	}
	if d := p.Duration(); d != time.Duration(len(want)/2)*time.Second/44100 {
		t.Errorf("Duration %v for %d frames", d, len(want)/2)
	}
	if p.Position() != 0 || p.Playing() {
		t.Errorf("new player at %v, playing %v", p.Position(), p.Playing())
	}
	if err := p.Play(); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	out := spk.Last()
	if got := out.Samples(); !slices.Equal(got, want) {
		t.Errorf("output got %d samples, decoder %d (or they differ)", len(got), len(want))
	}
	if !out.Drained() {
		t.Error("output not drained at the end")
	}
	if p.Position() != p.Duration() || p.Playing() {
		t.Errorf("at the end: position %v of %v, playing %v", p.Position(), p.Duration(), p.Playing())
	}
	// Play again starts from the beginning, on a new Output.
	if err := p.Play(); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, p)
	if n := len(spk.Outputs()); n != 2 {
		t.Errorf("%d outputs opened, want 2", n)
	}
	if got := spk.Last().Samples(); !slices.Equal(got, want) {
		t.Error("second run differs")
	}
}

// TestPlayerSeek: after Seek the Output receives the decoded audio from
// exactly there, sample for sample.
func TestPlayerSeek(t *testing.T) {
	b := audio.ChimeStop.MP3()
	all := decodeStereo(t, b)
	for _, at := range []time.Duration{0, time.Millisecond, 26 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond} {
		spk := &audiotest.Speaker{}
		p, err := audio.NewPlayer(bytes.NewReader(b), spk)
		if err != nil {
			t.Fatal(err)
		}
		p.Play() // play a little first, then seek while playing
		if err := p.Seek(at); err != nil {
			t.Fatal(err)
		}
		frame := int(at * 44100 / time.Second)
		waitEnded(t, p)
		p.Close()
		outs := spk.Outputs()
		got := outs[len(outs)-1].Samples()
		// What was written before the seek is a prefix of the whole.
		// Find where the seek took effect: the rest must be the decoded
		// file from exactly the target frame.
		want := all[2*frame:]
		if len(got) < len(want) || !slices.Equal(got[len(got)-len(want):], want) {
			t.Errorf("seek to %v: output does not end with the file from frame %d", at, frame)
		}
	}
	// Position follows Seek; out of range clamps.
	p, err := audio.NewPlayer(bytes.NewReader(b), &audiotest.Speaker{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, c := range []struct{ seek, want time.Duration }{
		{300 * time.Millisecond, 300 * time.Millisecond},
		{-time.Second, 0},
		{time.Hour, p.Duration()},
	} {
		if err := p.Seek(c.seek); err != nil {
			t.Fatal(err)
		}
		if got := p.Position(); got != c.want {
			t.Errorf("Seek(%v): Position %v, want %v", c.seek, got, c.want)
		}
	}
}

// TestPlayerPause: Pause stops the writes after the one in flight; Play
// goes on from there and the output is complete.
func TestPlayerPause(t *testing.T) {
	b := audio.ChimeStart.MP3()
	want := decodeStereo(t, b)
	var p *audio.Player
	spk := &audiotest.Speaker{OnWrite: func(i int) {
		if i == 5 {
			p.Pause() // from inside the sixth write
		}
	}}
	p, err := audio.NewPlayer(bytes.NewReader(b), spk)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Play()
	deadline := time.Now().Add(5 * time.Second)
	for p.Playing() || spk.Last() == nil {
		if time.Now().After(deadline) {
			t.Fatal("Pause had no effect")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	out := spk.Last()
	const chunk = 882 // 20 ms at 44.1 kHz
	if n := len(out.Samples()); n != 6*chunk*2 {
		t.Errorf("%d samples written after pausing in write 6, want %d", n, 6*chunk*2)
	}
	if got, want := p.Position(), 6*chunk*time.Second/44100; got != want {
		t.Errorf("paused at %v, want %v", got, want)
	}
	p.Play()
	waitEnded(t, p)
	if got := out.Samples(); !slices.Equal(got, want) {
		t.Errorf("after pause and play: %d samples, want %d", len(got), len(want))
	}
}

// TestPlayerConverts: a device that takes only mono, at another rate,
// gets mono at its rate, the same length of audio.
func TestPlayerConverts(t *testing.T) {
	b := audio.ChimeStart.MP3()
	all := decodeStereo(t, b)
	spk := &audiotest.Speaker{Rate: 48000, Channels: 1}
	p, err := audio.NewPlayer(bytes.NewReader(b), spk)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Play()
	waitEnded(t, p)
	got := spk.Last().Samples()
	wantLen := float64(len(all)/2) * 48000 / 44100
	if math.Abs(float64(len(got))-wantLen) > 4 {
		t.Errorf("%d mono samples at 48 kHz, want about %.0f", len(got), wantLen)
	}
	// The tone survives: compare with the left channel resampled by
	// nearest neighbour.
	ref := make([]int16, len(got))
	for i := range ref {
		ref[i] = all[2*min(len(all)/2-1, int(float64(i)*44100/48000))]
	}
	if sim, _ := audiotest.Similarity(ref, got, 10); sim < 0.97 {
		t.Errorf("converted audio similarity %.3f", sim)
	}
}

func TestPlayerErrors(t *testing.T) {
	if _, err := audio.NewPlayer(bytes.NewReader([]byte("not an mp3 at all, just words")), &audiotest.Speaker{}); !errors.Is(err, audio.ErrFormat) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := audio.NewPlayer(bytes.NewReader(nil), &audiotest.Speaker{}); !errors.Is(err, audio.ErrFormat) {
		t.Errorf("empty: %v", err)
	}
	if _, err := audio.NewPlayer(nil, &audiotest.Speaker{}); !errors.Is(err, audio.ErrOptions) {
		t.Errorf("nil reader: %v", err)
	}
	// No loudspeaker: the run ends with the Speaker's error.
	spk := &audiotest.Speaker{}
	spk.Refuse(audio.ErrNoOutputDevice)
	p, err := audio.NewPlayer(bytes.NewReader(audio.ChimeStart.MP3()), spk)
	if err != nil {
		t.Fatal(err)
	}
	p.Play()
	waitEnded(t, p)
	if !errors.Is(p.Err(), audio.ErrNoOutputDevice) {
		t.Errorf("Err %v", p.Err())
	}
	p.Close()
	p.Close()
	if err := p.Play(); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Play after Close: %v", err)
	}
	if err := p.Seek(0); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Seek after Close: %v", err)
	}
	// A truncated file (a crash mid-write) plays what is whole.
	b := audio.ChimeStart.MP3()
	p, err = audio.NewPlayer(bytes.NewReader(b[:len(b)/2+7]), &audiotest.Speaker{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Play()
	waitEnded(t, p)
	if p.Err() != nil || p.Duration() < 200*time.Millisecond {
		t.Errorf("truncated: err %v, duration %v", p.Err(), p.Duration())
	}
}

// FuzzNewPlayer: arbitrary bytes never panic or hang the Player.
func FuzzNewPlayer(f *testing.F) {
	f.Add(audio.ChimeStart.MP3()[:600])
	f.Add([]byte{0xff, 0xfb, 0x90, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := audio.NewPlayer(bytes.NewReader(b), &audiotest.Speaker{})
		if err != nil {
			return
		}
		defer p.Close()
		p.Seek(p.Duration() / 2)
		p.Play()
		select {
		case <-p.Ended():
		case <-time.After(5 * time.Second):
			t.Fatal("hang")
		}
	})
}

// TestChimes: both chimes decode, are short, audible but soft, and the
// start chime rises where the stop chime falls.
func TestChimes(t *testing.T) {
	pitch := func(pcm []int16, from, to int) float64 { // zero crossings per second
		n := 0
		for i := from + 1; i < to; i++ {
			if (pcm[i-1] < 0) != (pcm[i] < 0) {
				n++
			}
		}
		return float64(n) / 2 / (float64(to-from) / 44100)
	}
	var pitches [2][2]float64
	for i, c := range []audio.Chime{audio.ChimeStart, audio.ChimeStop} {
		st := decodeStereo(t, c.MP3())
		mono := make([]int16, len(st)/2)
		for j := range mono {
			mono[j] = st[2*j]
		}
		d := time.Duration(len(mono)) * time.Second / 44100
		l := audio.MeasureLevel(mono)
		t.Logf("%s chime: %v, %d bytes, peak %.1f dBFS, RMS %.1f dBFS", c, d, len(c.MP3()), l.Peak, l.RMS)
		if d < 300*time.Millisecond || d > time.Second {
			t.Errorf("%s chime lasts %v", c, d)
		}
		if l.Peak > -6 || l.Peak < -20 {
			t.Errorf("%s chime peaks at %.1f dBFS; want soft but audible", c, l.Peak)
		}
		// The first note alone sounds 30..150 ms in; only the second
		// note's fundamental dominates late in the decay... compare the
		// note onsets instead: 30–150 ms versus 200–320 ms after start.
		pitches[i] = [2]float64{pitch(mono, 44100*30/1000, 44100*150/1000), pitch(mono, 44100*200/1000, 44100*320/1000)}
		if err := audio.PlayChime(&audiotest.Speaker{}, c); err != nil {
			t.Errorf("PlayChime(%s): %v", c, err)
		}
	}
	if !(pitches[0][0] < pitches[0][1]) || !(pitches[1][0] > pitches[1][1]) {
		t.Errorf("start should rise and stop fall: %v", pitches)
	}
	if err := audio.PlayChime(&audiotest.Speaker{}, audio.Chime(9)); !errors.Is(err, audio.ErrFormat) {
		t.Errorf("unknown chime: %v", err)
	}
}
