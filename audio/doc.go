// Package audio is Assent's microphone path: capture that only a valid
// consent.Grant can start, compression into MP3 pieces for storage, the
// level meter and waveform, playback, and the start and stop chimes.
//
// The package itself is pure Go and touches no device: the microphone and
// loudspeaker come in through small interfaces (Mic, Meterable, Source,
// Speaker, Output) implemented by audio/portaudio, and the encoder through Encoder,
// implemented by audio/lame. Both of those use cgo; this package builds and
// tests without them. It imports consent (for the Grant) and nothing else
// of Assent's but assets (for the chimes); in particular not storage: the
// recording goes into a Sink that the app wires to storage.
//
// # Recording
//
// Start takes the Grant, a Mic, a Sink and Options:
//
//	host, _ := portaudio.NewHost(log.Printf)
//	rec, err := audio.Start(grant, host.Mic(""), sink, audio.Options{
//		NewEncoder: lame.NewFunc(lame.Options{}), // mono MP3, 32 kbit/s
//		OnLevel:    func(l audio.Level) { fyne.Do(func() { meter.Set(l) }) },
//		OnEnd:      func(e audio.End) { log.Print(e) },
//		Speaker:    host, // the chimes
//	})
//	...
//	end := rec.Stop() // "Stop recording"
//
// An invalid Grant is refused before the Mic is asked to open anything.
// Capture reads 20 ms at a time and checks the Grant before every read;
// when the consent changes (a pause, a withdrawal, someone joining, notes
// only, the end of the session) the Grant turns invalid and the recording
// ends by itself, with no further audio read. Stop closes the microphone
// once the read in progress returns (well under 100 ms) and returns when
// everything captured has been encoded and handed to the Sink.
//
// Encoding and writing run behind capture with at most 5 s of audio queued
// between them. When they fall that far behind (a stalled disk; a Source
// faster than real time) capture waits for them (a live microphone drops
// what is not read meanwhile), still watching the Grant and Stop, so
// neither a stalled Sink nor a fast Source keeps the microphone open or
// makes Stop wait for more than that queue.
//
// The Sink gets the MP3 in pieces of about a second, each followed by the
// waveform Peaks (one min/max pair per 50 ms) of the same audio, so that
// storage can seal and sync each second and the library can draw an hour
// without decoding it. A failing microphone, encoder or Sink ends the
// recording with an End saying why and how much was kept: everything read
// before a microphone failure is kept; after a Sink failure, what the Sink
// had accepted.
//
// # Level check
//
// StartMonitor opens a microphone only to measure it, for the settings
// screen's level test: every 20 ms frame goes to OnLevel's meter and is
// then cleared; nothing is encoded or handed anywhere. It runs under a
// consent.MicCheck's CheckGrant, the therapist's own go-ahead with nobody
// else in the room, and stops at Stop, when the check is stopped, or after
// MonitorOptions.Limit of audio (DefaultCheckDuration).
//
// What a check hears can never become a recording, and that is enforced by
// the device, not by the screen: a CheckGrant is not a consent.Grant, so
// neither Start nor Mic.Open accepts it, and the one method that does,
// Meterable.OpenMeter, returns a Meter, which gives out levels and never
// the samples.
//
// # Levels
//
// OnLevel receives the RMS and peak level in dBFS of every 50 ms of audio
// (about 20 a second) and the time recorded so far. A Recording calls it on
// a goroutine of its own, which capture never waits for, so that nothing a
// screen does can keep the microphone open; a Source faster than real time
// is shown at most every 25 ms, with the latest Level. A Monitor calls it
// with every Level, from capture. MeasureLevel does the same for any
// samples.
//
// # Playback
//
// NewPlayer plays an MP3 from an io.ReadSeeker (what storage's reader
// gives) to a Speaker: Play, Pause, Seek (sample-exact), Position and
// Duration. go-mp3 decodes to 16-bit stereo; the Player converts to what
// the Output took. A corrupt or truncated file plays up to where it breaks
// and reports an error wrapping ErrFormat; it never crashes the app.
// PlayChime plays ChimeStart or ChimeStop; the Recorder plays them itself
// when Options.Speaker is set.
//
// # Formats
//
// Speech is mono, signed 16-bit, 16 kHz (SpeechRate) or whatever rate the
// microphone insists on; LAME resamples to 16 kHz. Nothing is ever encoded
// below 16 kHz, because go-mp3 does not decode MPEG-2.5. At the default 32
// kbit/s an hour takes 14.4 MB, an eighth of 16-bit 16 kHz WAV.
//
// # Testing
//
// audio/testmic makes a real ALSA microphone from espeak-ng speech, so the
// tests in audio/portaudio capture, encode, decode and compare real
// speech. PCMMic stands in for a microphone where only the pipeline is
// under test; audio/internal/audiotest holds the shared test helpers,
// including the one fake, a microphone that is unplugged part-way.
package audio
