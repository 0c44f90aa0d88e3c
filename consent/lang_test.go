package consent_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/assent-recorder/assent/consent"
)

// langSessions are the sessions kept as golden files per language under
// testdata/lang/<tag>/: a statement to one person and to a family (with a
// minor, supervision and export), and the receipt of a recorded session
// and of a read-aloud "no". Each answer carries the language and version
// of the statement shown, as package session stamps them.
func langSessions(t *testing.T, tag string) map[string]string {
	set := func(s *consent.Session) *consent.Session {
		if err := s.SetLanguage(tag); err != nil {
			t.Fatal(err)
		}
		return s
	}
	answered := func(s *consent.Session, e consent.Event) consent.Event {
		e.Language, e.Statement = s.Language(), s.Statement().Version()
		return e
	}
	single := set(newSession(t, anna))
	apply(t, single, ask(0))

	familyPolicy := consent.Policy{Purposes: consent.StandardPurposes(), DefaultKeepDays: 28, SupervisionExport: true}
	family, err := consent.NewSession("s3", "family-9", []consent.Participant{anna, dana, chris}, familyPolicy, london)
	if err != nil {
		t.Fatal(err)
	}
	set(family)
	apply(t, family, ask(0))
	statements := map[string]string{
		"statement_single.golden": single.Statement().String(),
		"statement_family.golden": family.Statement().String(),
	}

	recorded := set(newSession(t, anna, ben))
	apply(t, recorded, ask(0))
	apply(t, recorded, answered(recorded, yes(1, "a")))
	apply(t, recorded, answered(recorded, consent.Event{Kind: consent.EventConfirm, At: at(2), Actor: byBen, Participant: "b", KeepDays: 7}))
	apply(t, recorded, withdraw(20, byBen, consent.WithdrawDeleteLast, 5), by(consent.EventEnd, 50, therapist))

	aloud := set(newSession(t, anna))
	apply(t, aloud, ask(0))
	apply(t, aloud, answered(aloud, consent.Event{Kind: consent.EventDecline, At: at(1), Actor: therapist, Participant: "a"}))
	apply(t, aloud, by(consent.EventEnd, 30, therapist))

	out := statements
	for name, r := range map[string]consent.Receipt{
		"receipt_recorded":  recorded.Receipt(consent.CollectionOnScreen, "Dr Jane Okafor"),
		"receipt_readaloud": aloud.Receipt(consent.CollectionReadAloud, "Dr Jane Okafor"),
	} {
		r.AuditHead = "#42 1a2b3c4d"
		out[name+".golden"] = r.Page().String()
		b, err := r.KantaraJSON()
		if err != nil {
			t.Fatal(err)
		}
		out[name+".kantara.json"] = string(b)
	}
	return out
}

// TestLanguageGolden keeps each language's statements and receipts as
// golden files: read them (or have a native speaker read them) before
// accepting a change.
func TestLanguageGolden(t *testing.T) {
	for _, l := range consent.Languages() {
		for name, text := range langSessions(t, l.Tag) {
			t.Run(l.Tag+"/"+name, func(t *testing.T) {
				golden(t, filepath.Join("lang", l.Tag, name), []byte(text))
			})
		}
	}
}

// TestReceiptNamesTheStatementShown checks that the receipt of answered
// sessions names the statement's language and its SHA-256 version, on
// the page and in the Kantara record, and that one word more is another
// version.
func TestReceiptNamesTheStatementShown(t *testing.T) {
	for _, l := range consent.Languages() {
		t.Run(l.Tag, func(t *testing.T) {
			s := newSession(t, anna)
			if err := s.SetLanguage(l.Tag); err != nil {
				t.Fatal(err)
			}
			apply(t, s, ask(0))
			shown := s.Statement()
			e := yes(1, "a")
			e.Language, e.Statement = l.Tag, shown.Version()
			apply(t, s, e)
			r := s.Receipt(consent.CollectionOnScreen, "Dr Jane Okafor")
			if r.Language != l.Tag || r.StatementLanguage != l.Tag || r.StatementVersion != shown.Version() {
				t.Errorf("receipt language %q, statement %q %q; want %q and %q", r.Language, r.StatementLanguage, r.StatementVersion, l.Tag, shown.Version())
			}
			page := r.Page().String()
			if !strings.Contains(page, shown.Version()) || !strings.Contains(page, l.Name) {
				t.Errorf("the receipt page does not name %s and %s:\n%s", l.Name, shown.Version(), page)
			}
			b, err := r.KantaraJSON()
			if err != nil {
				t.Fatal(err)
			}
			var k consent.KantaraReceipt
			if err := json.Unmarshal(b, &k); err != nil {
				t.Fatal(err)
			}
			if k.Language != l.Tag || k.Assent.StatementLanguage != l.Tag || k.Assent.StatementVersion != shown.Version() {
				t.Errorf("Kantara language %q, statement %q %q", k.Language, k.Assent.StatementLanguage, k.Assent.StatementVersion)
			}
			changed := shown
			changed.Paragraphs = append([]string{}, shown.Paragraphs...)
			changed.Paragraphs[0] += " "
			if changed.Version() == shown.Version() {
				t.Error("a changed statement keeps its version")
			}
		})
	}
}

func TestSetLanguageRefusesUnknown(t *testing.T) {
	s := newSession(t, anna)
	if err := s.SetLanguage("tlh"); !errors.Is(err, consent.ErrUnknownLanguage) {
		t.Errorf("SetLanguage(tlh) = %v, want ErrUnknownLanguage", err)
	}
	if s.Language() != consent.DefaultLanguage {
		t.Errorf("after a refused language, Language() = %q", s.Language())
	}
}

func TestAnswerStatementMustBeWellFormed(t *testing.T) {
	for name, e := range map[string]consent.Event{
		"version without language": func() consent.Event { e := yes(1, "a"); e.Statement = "sha256:" + strings.Repeat("0", 64); return e }(),
		"not a sha256":             func() consent.Event { e := yes(1, "a"); e.Language, e.Statement = "en", "md5:abc"; return e }(),
		"on a pause":               {Kind: consent.EventPause, At: at(1), Actor: therapist, Language: "en", Statement: "sha256:" + strings.Repeat("0", 64)},
	} {
		t.Run(name, func(t *testing.T) {
			if err := e.Validate(); !errors.Is(err, consent.ErrBadEvent) {
				t.Errorf("Validate = %v, want ErrBadEvent", err)
			}
		})
	}
}

// The statement's readability, computed from the golden files a client
// reads: the English statements at a Flesch–Kincaid grade of 6 at most,
// every other language's no longer than 1.3 times the English in words.

func TestStatementReadability(t *testing.T) {
	for _, name := range []string{"statement_single.golden", "statement_family.golden"} {
		en := readGolden(t, filepath.Join("lang", "en", name))
		grade := fleschKincaidGrade(en)
		t.Logf("en/%s: Flesch–Kincaid grade %.2f, %d words", name, grade, len(words(en)))
		if grade > 6 {
			t.Errorf("en/%s reads at grade %.2f, above 6", name, grade)
		}
		for _, l := range consent.Languages() {
			other := readGolden(t, filepath.Join("lang", l.Tag, name))
			ratio := float64(len(words(other))) / float64(len(words(en)))
			t.Logf("%s/%s: %d words, %.2f× English", l.Tag, name, len(words(other)), ratio)
			if ratio > 1.3 {
				t.Errorf("%s/%s has %.2f times the English words, above 1.3", l.Tag, name, ratio)
			}
		}
	}
}

func TestFleschKincaidGradeOfKnownTexts(t *testing.T) {
	// Short words in short sentences read young; long ones do not.
	easy := fleschKincaidGrade("The cat sat on the mat. The dog ran.")
	hard := fleschKincaidGrade("Notwithstanding considerable institutional uncertainty, comprehensive organisational reconfiguration necessitates extraordinary deliberation.")
	if easy > 1 || hard < 16 {
		t.Errorf("grades %.1f and %.1f, want below 1 and above 16", easy, hard)
	}
	if n := syllables("recording"); n != 3 {
		t.Errorf("syllables(recording) = %d, want 3", n)
	}
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// words are the words of text: runs of letters and digits (with inner
// apostrophes).
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	})
}

// fleschKincaidGrade is 0.39 × words per sentence + 11.8 × syllables per
// word − 15.59. A sentence ends with . ! ? : or a line's end (the title).
func fleschKincaidGrade(text string) float64 {
	sentences := 0
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n := strings.Count(line, ". ") + strings.Count(line, "? ") + strings.Count(line, "! ") + strings.Count(line, ": ")
		sentences += n + 1
	}
	ws := words(text)
	syl := 0
	for _, w := range ws {
		syl += syllables(w)
	}
	return 0.39*float64(len(ws))/float64(sentences) + 11.8*float64(syl)/float64(len(ws)) - 15.59
}

// syllables estimates an English word's syllables: groups of vowels, less
// a silent final e, at least one.
func syllables(word string) int {
	w := strings.ToLower(strings.Trim(word, "'’"))
	n, prevVowel := 0, false
	for _, r := range w {
		v := strings.ContainsRune("aeiouy", r)
		if v && !prevVowel {
			n++
		}
		prevVowel = v
	}
	if strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "le") && n > 1 {
		n--
	}
	if n < 1 {
		n = 1
	}
	return n
}
