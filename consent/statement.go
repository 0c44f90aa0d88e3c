package consent

import (
	"crypto/sha256"
	"encoding/hex"
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
	w := wordsOf(s.Language())
	var paras []string
	var people []Participant
	if s != nil {
		people = s.participants
	}
	switch len(people) {
	case 0:
		paras = append(paras, w.AskYou)
	case 1:
		paras = append(paras, fmt.Sprintf(w.AskOne, people[0].Name))
	default:
		names := make([]string, len(people))
		for i, q := range people {
			names[i] = q.Name
		}
		paras = append(paras, fmt.Sprintf(w.AskMany, w.list(names)))
	}
	for _, q := range people {
		switch {
		case q.Role == RoleMinor && q.DecidesAlone:
			paras = append(paras, fmt.Sprintf(w.MinorAlone, q.Name))
		case q.Role == RoleMinor:
			guardian := q.GuardianID
			if g, ok := s.participant(q.GuardianID); ok {
				guardian = g.Name
			}
			paras = append(paras, fmt.Sprintf(w.Minor, q.Name, guardian))
		case q.Role == RoleInterpreter:
			paras = append(paras, fmt.Sprintf(w.Interpreter, q.Name))
		case q.Role == RoleTrainee:
			paras = append(paras, fmt.Sprintf(w.Trainee, q.Name))
		case q.Role == RoleObserver:
			paras = append(paras, fmt.Sprintf(w.Observer, q.Name))
		}
	}
	for _, u := range p.Purposes {
		paras = append(paras, w.why(u))
	}
	if p.exportAllowed() {
		paras = append(paras, w.WhereExport)
	} else {
		paras = append(paras, w.Where)
	}
	switch on := s.DeleteOn(); {
	case !on.IsZero():
		paras = append(paras, fmt.Sprintf(w.DeleteOn, w.longDate(on, s.Location())))
	case p.DefaultKeepDays == 1:
		paras = append(paras, w.DeleteTonight)
	default:
		paras = append(paras, fmt.Sprintf(w.DeleteAfter, p.DefaultKeepDays))
	}
	paras = append(paras, w.Stop, w.Pause)
	if p.EndQuestion {
		unanswered := w.UnansweredDeleted
		if p.KeepUnconfirmed {
			unanswered = w.UnansweredKept
		}
		paras = append(paras, w.EndQuestion+" "+unanswered)
	}
	paras = append(paras, w.NoIsFine)
	return Page{Title: w.StatementTitle, Paragraphs: paras}
}

// Statement is Statement(s, s.Policy()): the text to show before asking.
func (s *Session) Statement() Page { return Statement(s, s.Policy()) }

// clause trims a therapist-written phrase so it fits inside a sentence of
// the language files: no surrounding space, no final full stop.
func clause(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), ". ")
}

// list joins names as a sentence does: "Anna", "Anna and Ben",
// "Anna, Ben and Chris".
func (w *words) list(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], w.ListSep) + w.ListLast + names[len(names)-1]
}

// why is the sentence of one purpose: a standard purpose still in its
// default English words is said in w's words; a therapist's own wording
// is shown as written.
func (w *words) why(u Purpose) string {
	text, listeners := u.Text, u.Listeners
	en := wordsOf(DefaultLanguage)
	for _, std := range [...]struct{ id, enText, enListeners, text, listeners string }{
		{PurposeReflection, en.PurposeReflection, en.ListenersReflection, w.PurposeReflection, w.ListenersReflection},
		{PurposeSupervision, en.PurposeSupervision, en.ListenersSupervision, w.PurposeSupervision, w.ListenersSupervision},
		{PurposeTraining, en.PurposeTraining, en.ListenersTraining, w.PurposeTraining, w.ListenersTraining},
	} {
		if u.ID != std.id {
			continue
		}
		if clause(text) == clause(std.enText) {
			text = std.text
		}
		if clause(listeners) == clause(std.enListeners) {
			listeners = std.listeners
		}
	}
	return fmt.Sprintf(w.Why, clause(text), clause(listeners))
}

// Version identifies exactly this text: "sha256:" and the SHA-256 of
// String in hex. The same words give the same version, and any change of
// a letter another; receipts carry the version of the statement shown.
func (p Page) Version() string {
	sum := sha256.Sum256([]byte(p.String()))
	return "sha256:" + hex.EncodeToString(sum[:])
}
