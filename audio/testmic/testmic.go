// Package testmic gives tests a real microphone on a machine with no sound
// card: an ALSA configuration whose default capture device is ALSA's `file`
// plugin reading a speech fixture, so that PortAudio (or arecord) captures
// known words through the real ALSA stack.
//
// The fixture is made at test time: espeak-ng speaks the text to a WAV file
// and sox converts it to raw signed 16-bit little-endian mono PCM at 16 kHz.
// By hand:
//
//	espeak-ng -w speech.wav "Hello, this is Assent."
//	sox speech.wav -r 16000 -c 1 -b 16 -e signed-integer -t raw speech.raw
//
// The configuration lives in a temporary HOME (.asoundrc), so nothing outside
// the test's temp folders changes. ALSA reads it when PortAudio is
// initialised, so point HOME at it first: in-process with Setenv, or for a
// child process with Env.
//
// # Unpaced: New
//
// New's device reads the fixture file itself. It answers every read at
// once, so a recording of it runs ahead of the clock: ten seconds of audio
// in a fraction of a second. After the fixture ends it delivers silence,
// as a quiet room would. Use it where only the content matters.
//
// # Paced: NewPaced
//
// NewPaced's device reads a named pipe instead, which a Feeder goroutine
// in the test process fills with the fixture, looped, 20 ms (one Block)
// at a time at the pace of the wall clock. A recording of it takes as
// long as the audio it captures, so "how much was captured by now" means
// what it means with a real microphone: captured ≈ wall time, never more
// than the wall time since the reader's first block (Feeder.FirstBlock)
// plus one block. The pipe is shrunk to one page (PipeBytes), and a block
// that does not fit is dropped, so a reader that opens the device and
// reads later gets at most InFlight (120 ms) of older audio.
//
// The pacing relies on how the file plugin reads: a read of the pipe waits
// until a block is there and returns what is there, and the plugin fills
// the rest of the read with what its buffer held before. So the device is
// paced for a reader that takes at most one block per read in pieces that
// add up to whole blocks, as audio/portaudio's Input does (320 frames per
// read); arecord needs --period-size=320. A reader that asks for more at
// once runs ahead as with New.
//
// The Feeder outlives its readers: PortAudio opens and closes the device
// when it initialises, scans devices and opens streams, and a child
// process (the real binary, a crash trial) may be killed with SIGKILL.
// Each time, the Feeder sees the reader go (within a block), waits for the
// next one without blocking, and starts the fixture again from its
// beginning for it. It stops at the test's cleanup; from then on the
// device reads as silence.
//
// # Without PortAudio: PacedReader
//
// PacedReader is the same pacing for a test that feeds PCM to an
// audio.PCMMic rather than going through ALSA.
package testmic

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Rate is the fixture's sample rate in Hz; it is mono signed 16-bit.
const Rate = 16000

// Mic is a test microphone.
type Mic struct {
	// Home is the folder holding .asoundrc; use it as HOME.
	Home string
	// Fixture is the raw PCM file the device plays into the capture side.
	Fixture string
	// Text is what the fixture says.
	Text string
	// Infile is the file ALSA's capture device reads: Fixture itself for
	// New, the named pipe fed by Feeder for NewPaced. A process has it
	// open exactly while it has the capture device open.
	Infile string
	// Feeder paces the device; nil for New.
	Feeder *Feeder
}

// asoundrc makes the default PCM capture from the fixture. The `plug` in
// front pins the format so that the raw file is read as S16_LE mono 16 kHz
// whatever the application asks for (plug converts).
const asoundrc = `# Assent's test microphone: capture reads %[1]q.
pcm.assent_testmic {
    type file
    slave.pcm "null"
    file "/dev/null"
    infile %[1]q
    format "raw"
}
pcm.!default {
    type plug
    slave {
        pcm "assent_testmic"
        format S16_LE
        rate %[2]d
        channels 1
    }
}
ctl.!default {
    type hw
    card 0
}
`

// New makes the speech fixture for text and the ALSA configuration that
// reads it, in t's temp folders. It fails the test with a clear message if
// espeak-ng or sox is missing (`make test` installs both). Its device is
// not paced: it answers every read at once (see NewPaced).
func New(t testing.TB, text string) *Mic {
	t.Helper()
	m := newMic(t, text)
	m.Infile = m.Fixture
	m.writeConfig(t)
	return m
}

// newMic makes the speech fixture for text in a new temporary HOME.
func newMic(t testing.TB, text string) *Mic {
	t.Helper()
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the test microphone needs %s: run `make test`, or apt-get install espeak-ng sox", tool)
		}
	}
	home := t.TempDir()
	wav := filepath.Join(home, "speech.wav")
	raw := filepath.Join(home, "speech.raw")
	if out, err := exec.Command("espeak-ng", "-w", wav, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, out)
	}
	if out, err := exec.Command("sox", wav, "-r", fmt.Sprint(Rate), "-c", "1", "-b", "16",
		"-e", "signed-integer", "-t", "raw", raw).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	return &Mic{Home: home, Fixture: raw, Text: text}
}

// writeConfig writes the .asoundrc whose capture device reads m.Infile.
func (m *Mic) writeConfig(t testing.TB) {
	t.Helper()
	conf := fmt.Sprintf(asoundrc, m.Infile, Rate)
	if err := os.WriteFile(filepath.Join(m.Home, ".asoundrc"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Setenv points this process's ALSA at the microphone for the rest of the
// test. Call it before PortAudio is initialised.
func (m *Mic) Setenv(t testing.TB) {
	t.Helper()
	t.Setenv("HOME", m.Home)
}

// Env returns os.Environ with HOME replaced, for a child process.
func (m *Mic) Env() []string {
	env := []string{"HOME=" + m.Home}
	for _, kv := range os.Environ() {
		if !bytes.HasPrefix([]byte(kv), []byte("HOME=")) {
			env = append(env, kv)
		}
	}
	return env
}

// Samples returns the fixture's PCM samples.
func (m *Mic) Samples(t testing.TB) []int16 {
	t.Helper()
	b, err := os.ReadFile(m.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, len(b)/2)
	if err := binary.Read(bytes.NewReader(b), binary.LittleEndian, s); err != nil {
		t.Fatal(err)
	}
	return s
}
