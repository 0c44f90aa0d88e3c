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
// child process with Env. After the fixture ends the device keeps delivering
// silence, as a quiet room would.
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
// espeak-ng or sox is missing (`make test` installs both).
func New(t testing.TB, text string) *Mic {
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
	conf := fmt.Sprintf(asoundrc, raw, Rate)
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Mic{Home: home, Fixture: raw, Text: text}
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
