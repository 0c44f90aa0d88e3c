//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package main

import (
	"errors"
	"os"
)

// isTerminal is false where Assent cannot turn the echo off: the passphrase
// must then come from --passphrase-file.
func isTerminal(*os.File) bool { return false }

func readSecret(*os.File) ([]byte, error) {
	return nil, errors.New("cannot read a passphrase without echo on this system")
}
