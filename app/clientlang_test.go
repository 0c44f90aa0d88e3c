package app

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/langtest"
)

// TestEveryClientLanguageHasEveryKey fails when a clientlang file lacks a
// key (or leaves it empty), cannot be read, or changes a sentence's
// %-verbs; and when the client screen and consent do not offer the same
// languages.
func TestEveryClientLanguageHasEveryKey(t *testing.T) {
	if len(clientTextErrs) > 0 {
		t.Fatalf("clientlang files that cannot be read: %v", clientTextErrs)
	}
	var consentTags, appTags []string
	for _, l := range consent.Languages() {
		consentTags = append(consentTags, l.Tag)
	}
	for tag := range clientTexts {
		appTags = append(appTags, tag)
	}
	slices.Sort(consentTags)
	slices.Sort(appTags)
	if !slices.Equal(consentTags, appTags) || len(appTags) < 4 {
		t.Errorf("client screen languages %v, consent's %v: want the same, at least en, es, fr, de", appTags, consentTags)
	}
	for tag, tx := range clientTexts {
		langtest.Compare(t, "clientlang/"+tag+".json", *appText, *tx)
	}
}

func TestClientLanguageFileRefusesUnknownKeys(t *testing.T) {
	texts, errs := loadClientTexts(fstest.MapFS{
		"clientlang/en.json": {Data: []byte(`{"language": "en", "yesTxet": "typo"}`)},
	})
	if len(texts) != 0 || len(errs) != 1 {
		t.Errorf("a misspelt key gives %d languages and errors %v; want none and one error", len(texts), errs)
	}
}

// TestDurationsInEachLanguage checks the units each language counts in.
func TestDurationsInEachLanguage(t *testing.T) {
	for tag, want := range map[string]string{
		"en": "1 hour 2 minutes|1 minute 5 seconds|3 days",
		"es": "1 hora 2 minutos|1 minuto 5 segundos|3 días",
		"fr": "1 heure 2 minutes|1 minute 5 secondes|3 jours",
		"de": "1 Stunde 2 Minuten|1 Minute 5 Sekunden|3 Tage",
	} {
		tx := clientTextOf(tag)
		got := strings.Join([]string{tx.duration(time.Hour + 2*time.Minute), tx.duration(65 * time.Second), tx.days(3)}, "|")
		if got != want {
			t.Errorf("%s: %q, want %q", tag, got, want)
		}
	}
}
