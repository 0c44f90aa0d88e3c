package consent_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/assent-recorder/assent/consent"
)

// statementCases are the sessions whose statements are kept as golden files
// under testdata/; read those files as a client would before accepting a
// change to them.
func statementCases(t *testing.T) map[string]consent.Page {
	single := newSession(t, anna)
	apply(t, single, ask(0))

	couplePolicy := consent.Policy{
		Purposes: []consent.Purpose{
			consent.StandardPurposes()[0],
			{ID: consent.PurposeCustom, Text: "  To notice patterns between you over several sessions. ", Listeners: "only your therapist."},
		},
		DefaultKeepDays: 14,
	}
	couple, err := consent.NewSession("s2", "couple-3", []consent.Participant{anna, ben}, couplePolicy, london)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, couple, ask(0), consent.Event{Kind: consent.EventConfirm, At: at(1), Actor: byBen, Participant: "b", KeepDays: 7})

	familyPolicy := consent.Policy{Purposes: consent.StandardPurposes(), DefaultKeepDays: 28, SupervisionExport: true, EndQuestion: true, KeepUnconfirmed: true}
	family, err := consent.NewSession("s3", "family-9", []consent.Participant{anna, dana, chris}, familyPolicy, london)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, family, ask(0))

	unasked := newSession(t, anna)

	roles := newSession(t, anna, maria, sam, mia)
	apply(t, roles, ask(0))

	return map[string]consent.Page{
		"statement_single.golden":  consent.Statement(single, single.Policy()),
		"statement_couple.golden":  couple.Statement(),
		"statement_family.golden":  consent.Statement(family, family.Policy()),
		"statement_unasked.golden": consent.Statement(unasked, unasked.Policy()),
		"statement_preview.golden": consent.Statement(nil, consent.DefaultPolicy()),
		"statement_roles.golden":   roles.Statement(),
	}
}

// TestStatementPromisesTheEndQuestionOnlyWhenAsked: a practice that turns
// the question at the end off is not shown promising it, and the rule for
// an unanswered question is the one the policy holds.
func TestStatementPromisesTheEndQuestionOnlyWhenAsked(t *testing.T) {
	const asked = "asked again whether to keep it"
	for _, c := range []struct {
		end, keep bool
		want      []string
		not       []string
	}{
		{false, false, nil, []string{asked, "before everyone has answered"}},
		{true, false, []string{asked, "before everyone has answered, the recording is deleted"}, []string{"kept until its deletion date"}},
		{true, true, []string{asked, "before everyone has answered, the recording is kept until its deletion date"}, []string{"the recording is deleted."}},
	} {
		p := consent.DefaultPolicy()
		p.EndQuestion, p.KeepUnconfirmed = c.end, c.keep
		text := consent.Statement(nil, p).String()
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("end %v keep %v: statement lacks %q:\n%s", c.end, c.keep, w, text)
			}
		}
		for _, w := range c.not {
			if strings.Contains(text, w) {
				t.Errorf("end %v keep %v: statement says %q:\n%s", c.end, c.keep, w, text)
			}
		}
	}
	if err := (consent.Policy{Purposes: consent.StandardPurposes()[:1], DefaultKeepDays: 3, KeepUnconfirmed: true}).Validate(); err == nil {
		t.Error("a rule for unanswered questions without the question was accepted")
	}
}

func TestStatementGolden(t *testing.T) {
	for name, page := range statementCases(t) {
		t.Run(name, func(t *testing.T) { golden(t, name, []byte(page.String())) })
	}
}

// TestStatementSaysWhatItMust checks the content the design requires,
// independently of the golden wording.
func TestStatementSaysWhatItMust(t *testing.T) {
	familyPolicy := consent.Policy{Purposes: consent.StandardPurposes(), DefaultKeepDays: 28, SupervisionExport: true}
	s, err := consent.NewSession("s3", "family-9", []consent.Participant{anna, dana, chris}, familyPolicy, london)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, ask(0))
	text := s.Statement().String()
	must := []string{
		"Anna", "Dana", "Chris", // everyone who decides is named
		"Tuesday 17 November 2026", // the date in full: 28 days from 20 October
		"encrypted", "this computer", "never uploaded",
		"stop the recording at any moment", "one tap",
		"delete all of it now", "delete the last few minutes",
		"Saying no changes nothing about your care",
		"If one of you says no, nothing is recorded",
	}
	for _, u := range familyPolicy.Purposes {
		must = append(must, u.Text, u.Listeners)
	}
	for _, m := range must {
		if !strings.Contains(text, m) {
			t.Errorf("the statement does not say %q:\n%s", m, text)
		}
	}
	// Chris's assent and Dana's yes are both asked for, by name.
	if !strings.Contains(text, "Chris says yes or no too") || !strings.Contains(text, "from Chris and from Dana") {
		t.Errorf("the minor's assent and the guardian's consent are not both asked for:\n%s", text)
	}
}

// TestStatementUsesShortSentences: a client reads this under stress. No
// sentence of any golden statement is longer than 25 words.
func TestStatementUsesShortSentences(t *testing.T) {
	for name, page := range statementCases(t) {
		for _, para := range page.Paragraphs {
			for _, sentence := range splitSentences(para) {
				if n := len(strings.FieldsFunc(sentence, unicode.IsSpace)); n > 25 {
					t.Errorf("%s: %d words: %q", name, n, sentence)
				}
			}
		}
	}
}

func splitSentences(p string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(p, func(r rune) bool { return r == '.' || r == '?' || r == '!' }) {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func TestStatementDateFollowsTheSession(t *testing.T) {
	s := newSession(t, anna, ben)
	apply(t, s, ask(0))
	if !strings.Contains(s.Statement().String(), "Tuesday 17 November 2026") {
		t.Fatal("default date missing")
	}
	apply(t, s, consent.Event{Kind: consent.EventConfirm, At: at(1), Actor: byAnna, Participant: "a", EndOfToday: true})
	// Ben now sees the date Anna's choice brought forward: the one the Grant will carry.
	text := s.Statement().String()
	if !strings.Contains(text, "Wednesday 21 October 2026") || strings.Contains(text, "November") {
		t.Fatalf("after Anna chose the end of today:\n%s", text)
	}
	eff := apply(t, s, yes(2, "b"))
	if got := consent.LongDate(eff.Grant.DeleteOn(), london); got != "Wednesday 21 October 2026" {
		t.Fatalf("granted %s, but the statement showed Wednesday 21 October 2026", got)
	}
}
