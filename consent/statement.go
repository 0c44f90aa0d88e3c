package consent

import (
	"fmt"
	"strings"
)

// Page is plain-language text for a person to read: a title and short
// paragraphs, in order. The app lays it out; String gives it as plain text.
type Page struct {
	Title      string
	Paragraphs []string
}

// String returns the title and the paragraphs, separated by blank lines,
// ending with a newline.
func (p Page) String() string {
	var b strings.Builder
	b.WriteString(p.Title)
	b.WriteString("\n")
	for _, para := range p.Paragraphs {
		b.WriteString("\n")
		b.WriteString(para)
		b.WriteString("\n")
	}
	return b.String()
}

// Statement renders the consent statement shown to the people present before
// they answer: who decides (naming interpreters, trainees and observers as
// such, and a minor who decides alone), why (each purpose) and who may
// listen, where the recording is kept, the day it is deleted, how to stop
// and pause, the question at the end and what happens if it goes
// unanswered (only when the policy asks it), and that saying no changes
// nothing about their care.
//
// s supplies the people present and the deletion date, which is s.DeleteOn():
// exactly what a Grant made now would carry. Apply EventAsk before showing
// the statement; before it the date is not fixed yet and the statement says
// "p.DefaultKeepDays days after today" instead. p supplies the purposes and
// wording and should be s.Policy(), because a Grant carries the session's
// own policy; another policy is for previewing wording (a settings screen),
// and so is a nil s, which addresses "you".
func Statement(s *Session, p Policy) Page {
	var paras []string
	var people []Participant
	if s != nil {
		people = s.participants
	}
	switch len(people) {
	case 0:
		paras = append(paras, textAskYou)
	case 1:
		paras = append(paras, fmt.Sprintf(textAskOne, people[0].Name))
	default:
		names := make([]string, len(people))
		for i, q := range people {
			names[i] = q.Name
		}
		paras = append(paras, fmt.Sprintf(textAskMany, list(names)))
	}
	for _, q := range people {
		switch {
		case q.Role == RoleMinor && q.DecidesAlone:
			paras = append(paras, fmt.Sprintf(textMinorAlone, q.Name))
		case q.Role == RoleMinor:
			guardian := q.GuardianID
			if g, ok := s.participant(q.GuardianID); ok {
				guardian = g.Name
			}
			paras = append(paras, fmt.Sprintf(textMinor, q.Name, guardian))
		case q.Role == RoleInterpreter:
			paras = append(paras, fmt.Sprintf(textInterpreter, q.Name))
		case q.Role == RoleTrainee:
			paras = append(paras, fmt.Sprintf(textTrainee, q.Name))
		case q.Role == RoleObserver:
			paras = append(paras, fmt.Sprintf(textObserver, q.Name))
		}
	}
	for _, u := range p.Purposes {
		paras = append(paras, fmt.Sprintf(textWhy, clause(u.Text), clause(u.Listeners)))
	}
	if p.exportAllowed() {
		paras = append(paras, textWhereExport)
	} else {
		paras = append(paras, textWhere)
	}
	switch on := s.DeleteOn(); {
	case !on.IsZero():
		paras = append(paras, fmt.Sprintf(textDeleteOn, LongDate(on, s.Location())))
	case p.DefaultKeepDays == 1:
		paras = append(paras, textDeleteTonight)
	default:
		paras = append(paras, fmt.Sprintf(textDeleteAfter, p.DefaultKeepDays))
	}
	paras = append(paras, textStop, textPause)
	if p.EndQuestion {
		unanswered := textUnansweredDeleted
		if p.KeepUnconfirmed {
			unanswered = textUnansweredKept
		}
		paras = append(paras, textEndQuestion+" "+unanswered)
	}
	paras = append(paras, textNoIsFine)
	return Page{Title: textStatementTitle, Paragraphs: paras}
}

// Statement is Statement(s, s.Policy()): the text to show before asking.
func (s *Session) Statement() Page { return Statement(s, s.Policy()) }

// clause trims a therapist-written phrase so it fits inside a sentence of
// text.go: no surrounding space, no final full stop.
func clause(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), ". ")
}

// list joins names as a sentence does: "Anna", "Anna and Ben",
// "Anna, Ben and Chris".
func list(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], textListSep) + textListLast + names[len(names)-1]
}
