package assets

import _ "embed"

//go:generate go run ../audio/internal/chimegen -dir .

// ChimeStartMP3 is played when recording starts: two soft notes rising,
// 0.65 s, mono MP3 (44.1 kHz, 64 kbit/s). The project synthesises and
// encodes it itself (audio/internal/chimegen; `go generate ./assets`).
//
//go:embed chime-start.mp3
var ChimeStartMP3 []byte

// ChimeStopMP3 is played when recording stops: the same two notes
// falling, made the same way as ChimeStartMP3.
//
//go:embed chime-stop.mp3
var ChimeStopMP3 []byte
