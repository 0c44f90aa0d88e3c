// Command chimegen synthesises Assent's start and stop chimes and encodes
// them with the project's own LAME binding (audio/lame), writing
// chime-start.mp3 and chime-stop.mp3 into the folder given by -dir.
//
// It runs from assets (`go generate ./assets`); the MP3s it writes are
// committed and embedded, so building Assent does not run it. The output is
// deterministic: the same code gives the same bytes.
//
// # The sound
//
// Each chime is two soft notes a perfect fourth apart, E5 (659.3 Hz) and
// A5 (880 Hz), 160 ms apart: rising for start, falling for stop. A note is
// a sine with a little second and third harmonic (a soft bell rather than a
// beep), a 10 ms raised-cosine attack and an exponential decay (time
// constant 150 ms), peaking near -10 dBFS so that it is heard in the room
// without startling anyone. The whole chime lasts 0.65 s, the last 50 ms
// silent so the final MP3 frame ends quietly. It is made at 44.1 kHz and
// encoded mono at 64 kbit/s, MPEG-1, which any speaker and go-mp3 play.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/assent-recorder/assent/audio/lame"
)

const (
	rate     = 44100
	noteE5   = 659.255
	noteA5   = 880.0
	gap      = 0.16 // seconds between the two notes' onsets
	length   = 0.65 // seconds, whole chime
	tail     = 0.05 // seconds of silence at the end
	attack   = 0.010
	decay    = 0.150
	loudness = 0.32 // peak amplitude of one note, of full scale
)

func main() {
	dir := flag.String("dir", ".", "folder to write chime-start.mp3 and chime-stop.mp3 into")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "chimegen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	for _, c := range []struct {
		name         string
		first, other float64
	}{
		{"chime-start.mp3", noteE5, noteA5},
		{"chime-stop.mp3", noteA5, noteE5},
	} {
		b, err := encode(chime(c.first, c.other))
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, c.name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// chime returns the PCM of two notes, first then second.
func chime(first, second float64) []int16 {
	n := int(length * rate)
	sound := int((length - tail) * rate)
	pcm := make([]int16, n)
	for i := range sound {
		t := float64(i) / rate
		v := note(first, t) + note(second, t-gap)
		// Fade the last 30 ms before the tail so nothing clicks.
		if left := float64(sound-i) / rate; left < 0.03 {
			v *= left / 0.03
		}
		pcm[i] = int16(math.Round(max(-1, min(1, v)) * 32767))
	}
	return pcm
}

// note is one bell-like note of frequency f at time t after its onset.
func note(f, t float64) float64 {
	if t < 0 {
		return 0
	}
	env := math.Exp(-t / decay)
	if t < attack {
		env *= 0.5 - 0.5*math.Cos(math.Pi*t/attack)
	}
	w := 2 * math.Pi * f * t
	return loudness * env * (math.Sin(w) + 0.18*math.Sin(2*w) + 0.06*math.Sin(3*w)) / 1.24
}

func encode(pcm []int16) ([]byte, error) {
	var buf bytes.Buffer
	enc, err := lame.NewEncoder(&buf, lame.Options{InputRate: rate, OutputRate: rate, Bitrate: lame.Bitrate64})
	if err != nil {
		return nil, err
	}
	if err := enc.Encode(pcm); err != nil {
		enc.Close()
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
