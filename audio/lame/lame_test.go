package lame_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/internal/audiotest"
	"github.com/assent-recorder/assent/audio/lame"
	"github.com/assent-recorder/assent/audio/testmic"
)

func encode(t testing.TB, pcm []int16, o lame.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := lame.NewEncoder(&buf, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Encode(pcm); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTripSpeech encodes espeak-ng speech at each bitrate, decodes it
// with go-mp3 (the decoder the app plays with) and compares it with what
// went in.
func TestRoundTripSpeech(t *testing.T) {
	mic := testmic.New(t, "Assent records a session only when the client says yes.")
	speech := mic.Samples(t)
	seconds := float64(len(speech)) / testmic.Rate
	for _, kbps := range []int{lame.Bitrate32, lame.Bitrate48, lame.Bitrate64} {
		t.Run(fmt.Sprintf("%dkbps", kbps), func(t *testing.T) {
			b := encode(t, speech, lame.Options{InputRate: testmic.Rate, Bitrate: kbps})
			got, rate := audiotest.Decode(t, b)
			if rate != 16000 {
				t.Fatalf("decoded at %d Hz, want 16000", rate)
			}
			sim, lag := audiotest.Similarity(speech, got, 4000)
			rateKbps := float64(len(b)) * 8 / seconds / 1000
			t.Logf("%d bytes for %.2f s (%.1f kbit/s), similarity %.4f at lag %d samples", len(b), seconds, rateKbps, sim, lag)
			if sim < 0.9 {
				t.Errorf("similarity %.3f < 0.9", sim)
			}
			// CBR: the size is the bitrate times the (padded) length.
			if math.Abs(rateKbps-float64(kbps))/float64(kbps) > 0.1 {
				t.Errorf("%.1f kbit/s, want about %d", rateKbps, kbps)
			}
		})
	}
}

// TestPlainFrames checks that the stream is bare MPEG frames: no ID3 tag,
// no Xing/Info/LAME tag frame, so that a file cut anywhere still plays.
func TestPlainFrames(t *testing.T) {
	pcm := sine(16000, 440, 2*16000)
	b := encode(t, pcm, lame.Options{InputRate: 16000})
	if bytes.HasPrefix(b, []byte("ID3")) || bytes.Contains(b, []byte("TAG")) {
		t.Error("stream has an ID3 tag")
	}
	for _, tag := range []string{"Xing", "Info", "LAME"} {
		if bytes.Contains(b[:min(len(b), 400)], []byte(tag)) {
			t.Errorf("first frame carries a %s tag", tag)
		}
	}
	if b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		t.Fatalf("stream starts % x, not a frame sync", b[:2])
	}
	// Cut it in the middle of a frame: go-mp3 still decodes what is whole.
	cut := b[:len(b)/2+17]
	got, _ := audiotest.Decode(t, cut)
	if len(got) < len(pcm)/3 {
		t.Errorf("cut file decoded to %d samples of %d", len(got), len(pcm))
	}
}

// TestRates covers a device's own rates and the output rates offered.
func TestRates(t *testing.T) {
	for _, c := range []struct{ in, out, want int }{
		{16000, 0, 16000},
		{44100, 0, 16000}, // a microphone that refused 16 kHz: LAME resamples
		{48000, 0, 16000},
		{8000, 0, 16000}, // never below 16 kHz
		{44100, 44100, 44100},
		{24000, 24000, 24000},
	} {
		t.Run(fmt.Sprintf("%d-%d", c.in, c.out), func(t *testing.T) {
			pcm := sine(c.in, 440, c.in) // one second
			b := encode(t, pcm, lame.Options{InputRate: c.in, OutputRate: c.out})
			got, rate := audiotest.Decode(t, b)
			if rate != c.want {
				t.Fatalf("decoded rate %d, want %d", rate, c.want)
			}
			if want := sine(rate, 440, rate); true {
				sim, _ := audiotest.Similarity(want[2000:rate/2], got, 4000)
				if sim < 0.95 {
					t.Errorf("440 Hz tone similarity %.3f after resampling", sim)
				}
			}
		})
	}
}

// TestEdgeSizes encodes nothing, one sample, a frame's worth and more in
// pieces of awkward sizes: the output always decodes to at least the input
// length.
func TestEdgeSizes(t *testing.T) {
	for _, n := range []int{0, 1, 575, 576, 577, 1152, 16000, 70000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pcm := sine(16000, 300, n)
			var buf bytes.Buffer
			enc, err := lame.NewEncoder(&buf, lame.Options{InputRate: 16000})
			if err != nil {
				t.Fatal(err)
			}
			for rest := pcm; len(rest) > 0; {
				k := min(len(rest), 333)
				if err := enc.Encode(rest[:k]); err != nil {
					t.Fatal(err)
				}
				rest = rest[k:]
			}
			if err := enc.Encode(nil); err != nil {
				t.Fatal(err)
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				if buf.Len() > 0 {
					audiotest.Decode(t, buf.Bytes())
				}
				return
			}
			got, _ := audiotest.Decode(t, buf.Bytes())
			if len(got) < n {
				t.Errorf("decoded %d samples from %d", len(got), n)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []lame.Options{
		{},                                   // no input rate
		{InputRate: 16000, Bitrate: 128},     // not offered
		{InputRate: 16000, Bitrate: 24},      // not offered
		{InputRate: 16000, OutputRate: 8000}, // MPEG-2.5: go-mp3 cannot read it
		{InputRate: 16000, OutputRate: 11025},
		{InputRate: 16000, Quality: 10},
		{InputRate: 16000, Quality: -1},
		{InputRate: 1 << 20},
	} {
		if _, err := lame.NewEncoder(io.Discard, o); !errors.Is(err, lame.ErrOptions) {
			t.Errorf("%+v: err %v, want ErrOptions", o, err)
		}
	}
	if _, err := lame.NewEncoder(nil, lame.Options{InputRate: 16000}); !errors.Is(err, lame.ErrOptions) {
		t.Errorf("nil writer: err %v", err)
	}
	enc, err := lame.NewEncoder(io.Discard, lame.Options{InputRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	if got := enc.Options(); got.Bitrate != 32 || got.OutputRate != 16000 || got.Quality != lame.DefaultQuality {
		t.Errorf("defaults %+v", got)
	}
	if d := enc.EncoderDelay(); d < 500 || d > 2500 {
		t.Errorf("encoder delay %d samples", d)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); !errors.Is(err, lame.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if err := enc.Encode([]int16{1, 2}); !errors.Is(err, lame.ErrClosed) {
		t.Errorf("Encode after Close: %v", err)
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errDiskFull
	}
	return len(p), nil
}

// TestWriteError: the writer's error comes back wrapped, and sticks.
func TestWriteError(t *testing.T) {
	enc, err := lame.NewEncoder(&failingWriter{after: 1000}, lame.Options{InputRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	pcm := sine(16000, 440, 16000)
	var werr error
	for range 10 {
		if werr = enc.Encode(pcm); werr != nil {
			break
		}
	}
	if !errors.Is(werr, errDiskFull) {
		t.Fatalf("Encode: %v, want disk full", werr)
	}
	if err := enc.Encode(pcm); !errors.Is(err, errDiskFull) {
		t.Errorf("Encode after failure: %v", err)
	}
	if err := enc.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close after failure: %v", err)
	}
}

// TestNewFunc makes Encoders through the audio.NewEncoderFunc the
// recorder uses.
func TestNewFunc(t *testing.T) {
	var buf bytes.Buffer
	var f audio.NewEncoderFunc = lame.NewFunc(lame.Options{Bitrate: lame.Bitrate48})
	enc, err := f(&buf, 44100)
	if err != nil {
		t.Fatal(err)
	}
	if got := enc.(*lame.Encoder).Options(); got.InputRate != 44100 || got.Bitrate != 48 {
		t.Errorf("options %+v", got)
	}
	enc.Encode(sine(44100, 440, 44100))
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, rate := audiotest.Decode(t, buf.Bytes()); rate != 16000 {
		t.Errorf("rate %d", rate)
	}
}

func sine(rate int, hz float64, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return s
}

func ExampleEncoder() {
	var mp3 bytes.Buffer
	enc, err := lame.NewEncoder(&mp3, lame.Options{InputRate: 16000}) // 32 kbit/s mono
	if err != nil {
		panic(err)
	}
	pcm := make([]int16, 16000) // one second of silence
	if err := enc.Encode(pcm); err != nil {
		panic(err)
	}
	if err := enc.Close(); err != nil { // writes the last frames
		panic(err)
	}
	fmt.Println(mp3.Len() > 3000 && mp3.Len() < 5000)
	// Output: true
}

// TestSameAsLameCLI: the binding, at the app's settings, writes the very
// bytes the lame command writes with the same settings; so the benchmark
// against the command compares like with like.
func TestSameAsLameCLI(t *testing.T) {
	if _, err := exec.LookPath("lame"); err != nil {
		t.Skip("the lame command is not installed (apt-get install lame)")
	}
	mic := testmic.New(t, "The same settings give the same bytes.")
	ours := encode(t, mic.Samples(t), lame.Options{InputRate: 16000})
	out := filepath.Join(t.TempDir(), "cli.mp3")
	cmd := exec.Command("lame", lameArgs(asWAV(t, mic.Fixture), out)...)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lame: %v: %s", err, msg)
	}
	theirs, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours, theirs) {
		t.Errorf("binding wrote %d bytes, lame %d, and they differ; lame said %q", len(ours), len(theirs), msg)
	}
}
