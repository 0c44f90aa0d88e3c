package app

import (
	"math"
	"strconv"
	"unicode"

	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/storage"
)

// strength is a rough verdict on a passphrase, for the hint under the field.
type strength int

const (
	strengthTooShort strength = iota
	strengthWeak
	strengthFair
	strengthStrong
)

// passphraseBits estimates how many bits of guessing a passphrase costs:
// its length times log2 of the alphabet it draws from. Repeated characters
// count at most twice, so "aaaaaaaaaaaa" is not mistaken for a long secret.
// It is a hint for the therapist, not a security guarantee: the vault's
// Argon2id cost is what makes guessing slow.
func passphraseBits(p string) float64 {
	var lower, upper, digit, space, other bool
	seen := map[rune]int{}
	effective := 0
	for _, r := range p {
		seen[r]++
		if seen[r] <= 2 {
			effective++
		}
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsSpace(r):
			space = true
		default:
			other = true
		}
	}
	pool := 0
	for _, c := range []struct {
		used bool
		size int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {space, 1}, {other, 32}} {
		if c.used {
			pool += c.size
		}
	}
	if pool < 2 {
		return 0
	}
	return float64(effective) * math.Log2(float64(pool))
}

// passphraseStrength rates p for the hint shown while it is typed.
func passphraseStrength(p string) strength {
	if len([]rune(p)) < storage.MinPassphraseLen {
		return strengthTooShort
	}
	switch bits := passphraseBits(p); {
	case bits < 60:
		return strengthWeak
	case bits < 80:
		return strengthFair
	default:
		return strengthStrong
	}
}

// hint is the sentence shown under the passphrase field.
func (s strength) hint() string {
	switch s {
	case strengthTooShort:
		return "Too short: use at least " + strconv.Itoa(storage.MinPassphraseLen) + " characters."
	case strengthWeak:
		return "Weak: easy to guess. Four or more unrelated words make a strong passphrase."
	case strengthFair:
		return "Fair. A few more words would make it strong."
	default:
		return "Strong."
	}
}

// newPassphrase is a new passphrase typed twice: the two fields, the
// strength hint that follows the first as it is typed, and the check of
// both. Set-up, recovery, the settings' change of passphrase and the
// export's passphrase use it; each lays out the fields (and the hint,
// where it shows one).
type newPassphrase struct {
	pass, repeat *widget.Entry
	strength     *widget.Label
}

// newNewPassphrase returns the two empty fields with their placeholders;
// Enter in the second calls submit, if not nil.
func newNewPassphrase(placeholder, repeatPlaceholder string, submit func()) *newPassphrase {
	f := &newPassphrase{pass: widget.NewPasswordEntry(), repeat: widget.NewPasswordEntry(), strength: wrapped(strengthTooShort.hint())}
	f.pass.SetPlaceHolder(placeholder)
	f.pass.OnChanged = func(p string) { f.strength.SetText(passphraseStrength(p).hint()) }
	f.repeat.SetPlaceHolder(repeatPlaceholder)
	if submit != nil {
		f.repeat.OnSubmitted = func(string) { submit() }
	}
	return f
}

// check returns why the passphrase and its repetition cannot be used, or
// "" if they can.
func (f *newPassphrase) check() string {
	switch {
	case passphraseStrength(f.pass.Text) == strengthTooShort:
		return strengthTooShort.hint()
	case f.pass.Text != f.repeat.Text:
		return "The two passphrases are different. Please type them again."
	}
	return ""
}

// clear empties both fields.
func (f *newPassphrase) clear() {
	f.pass.SetText("")
	f.repeat.SetText("")
}
