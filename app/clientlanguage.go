package app

import (
	"fmt"

	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
)

// The client's language on the therapist's screens: chosen on the start
// screen (stored with the client), and each language's review status in
// the settings, so that a therapist knows before using one.

// languageChoice is the start screen's choice of the language the client
// reads, one option per language: "Español (es)".
type languageChoice struct {
	sel  *widget.Select
	tags []string // by option, in order
	// status says who checked the chosen language's wording.
	status *widget.Label
}

func newLanguageChoice(current string) *languageChoice {
	c := &languageChoice{status: wrapped("")}
	var labels []string
	for _, l := range consent.Languages() {
		labels = append(labels, languageLabel(l))
		c.tags = append(c.tags, l.Tag)
	}
	c.sel = widget.NewSelect(labels, func(string) { c.status.SetText(languageStatus(c.chosen())) })
	if current == "" || !consent.KnownLanguage(current) {
		current = consent.DefaultLanguage
	}
	for i, tag := range c.tags {
		if tag == current {
			c.sel.SetSelectedIndex(i)
		}
	}
	return c
}

// chosen is the tag of the language chosen.
func (c *languageChoice) chosen() string {
	if i := c.sel.SelectedIndex(); i >= 0 && i < len(c.tags) {
		return c.tags[i]
	}
	return consent.DefaultLanguage
}

// languageLabel names a language as the therapist picks it: "Español (es)".
func languageLabel(l consent.LanguageInfo) string { return fmt.Sprintf("%s (%s)", l.Name, l.Tag) }

// languageStatus says who checked a language's wording: the consent
// statement and receipts (consent's file) and the client screen (the
// clientlang file), once if they agree.
func languageStatus(tag string) string {
	var statement string
	for _, l := range consent.Languages() {
		if l.Tag == tag {
			statement = l.Checked
		}
	}
	screen := clientTextOf(tag).Checked
	if statement == screen {
		return "Wording: " + statement + "."
	}
	return fmt.Sprintf("Consent statement and receipts: %s. Client screen and record: %s.", statement, screen)
}

// languageStatuses are the settings' lines: each language and who checked
// its wording.
func languageStatuses() []string {
	var lines []string
	for _, l := range consent.Languages() {
		lines = append(lines, languageLabel(l)+" — "+languageStatus(l.Tag))
	}
	return lines
}
