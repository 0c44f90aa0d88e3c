package consent

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Every word a person reads comes from a language file under lang/, one
// per language (lang/en.json, lang/es.json, ...), embedded in the binary.
// A translation is one file: copy lang/en.json, translate the values
// (keeping the %-verbs, which may be reordered with %[1]s, %[2]s), set
// "language", "name" and "checked". Stable names that are stored (event
// kinds, states, roles in JSON) live beside their types and are never
// translated. A test fails when a file lacks a key, has one too many, or
// changes a value's %-verbs.

// DefaultLanguage is the BCP 47 tag of the wording used when none is
// chosen: receipts carry the tag of the wording they were written in.
const DefaultLanguage = "en"

//go:embed lang/*.json
var langFiles embed.FS

// words is one language's wording: one field per key of a language file.
type words struct {
	// Language is the file's BCP 47 tag ("es"); Name is the language in
	// its own words ("Español"); Checked says who checked the wording and
	// when, or that nobody has yet.
	Language string `json:"language"`
	Name     string `json:"name"`
	Checked  string `json:"checked"`

	// Dates: LongDate writes longDate with the weekday, the day of the
	// month, the month and the year (reorder with %[n]); weekdays start
	// on Sunday.
	Weekdays [7]string  `json:"weekdays"`
	Months   [12]string `json:"months"`

	// Roles, as RoleIn shows them, by their stable names.
	Roles struct {
		Client      string `json:"client"`
		Partner     string `json:"partner"`
		Family      string `json:"family"`
		Guardian    string `json:"guardian"`
		Minor       string `json:"minor"`
		Interpreter string `json:"interpreter"`
		Trainee     string `json:"trainee"`
		Observer    string `json:"observer"`
	} `json:"roles"`

	LongDate             string `json:"longDate"`
	Clock                string `json:"clock"`
	ListSep              string `json:"listSep"`
	ListLast             string `json:"listLast"`
	PurposeReflection    string `json:"purposeReflection"`
	ListenersReflection  string `json:"listenersReflection"`
	PurposeSupervision   string `json:"purposeSupervision"`
	ListenersSupervision string `json:"listenersSupervision"`
	PurposeTraining      string `json:"purposeTraining"`
	ListenersTraining    string `json:"listenersTraining"`
	StatementTitle       string `json:"statementTitle"`
	AskYou               string `json:"askYou"`
	AskOne               string `json:"askOne"`
	AskMany              string `json:"askMany"`
	Minor                string `json:"minor"`
	Why                  string `json:"why"`
	Where                string `json:"where"`
	WhereExport          string `json:"whereExport"`
	DeleteOn             string `json:"deleteOn"`
	DeleteAfter          string `json:"deleteAfter"`
	DeleteTonight        string `json:"deleteTonight"`
	Stop                 string `json:"stop"`
	NoIsFine             string `json:"noIsFine"`
	CollectionOnScreen   string `json:"collectionOnScreen"`
	CollectionReadAloud  string `json:"collectionReadAloud"`
	ReceiptTitle         string `json:"receiptTitle"`
	ReceiptSession       string `json:"receiptSession"`
	ReceiptMethod        string `json:"receiptMethod"`
	ReceiptAuditHead     string `json:"receiptAuditHead"`
	ReceiptPeople        string `json:"receiptPeople"`
	ReceiptPerson        string `json:"receiptPerson"`
	OutcomeRecorded      string `json:"outcomeRecorded"`
	OutcomeNotesOnly     string `json:"outcomeNotesOnly"`
	OutcomeDeclined      string `json:"outcomeDeclined"`
	OutcomeWithdrawn     string `json:"outcomeWithdrawn"`
	ReceiptDeleteOn      string `json:"receiptDeleteOn"`
	ReceiptHappened      string `json:"receiptHappened"`
	ReceiptLine          string `json:"receiptLine"`
	ReceiptLineOnDate    string `json:"receiptLineOnDate"`
	TheTherapist         string `json:"theTherapist"`
	TheApp               string `json:"theApp"`
	EvAsk                string `json:"evAsk"`
	EvConfirm            string `json:"evConfirm"`
	EvEnteredAloud       string `json:"evEnteredAloud"`
	EvKeepDays           string `json:"evKeepDays"`
	EvKeepDay            string `json:"evKeepDay"`
	EvEndOfToday         string `json:"evEndOfToday"`
	EvDecline            string `json:"evDecline"`
	EvPause              string `json:"evPause"`
	EvResume             string `json:"evResume"`
	EvWithdraw           string `json:"evWithdraw"`
	EvSwitchToNotes      string `json:"evSwitchToNotes"`
	EvJoin               string `json:"evJoin"`
	EvReAsk              string `json:"evReAsk"`
	EvEnd                string `json:"evEnd"`
	EvStarted            string `json:"evStarted"`
	KeptUntilDate        string `json:"keptUntilDate"`
	DeletedLast          string `json:"deletedLast"`
	DeletedLastOne       string `json:"deletedLastOne"`
	DeletedAll           string `json:"deletedAll"`
	KantaraService       string `json:"kantaraService"`
	KantaraNotRecorded   string `json:"kantaraNotRecorded"`
	// The client's last word (#17): roles in the statement, the pause, the
	// question at the end, "don't ask me again", and the receipt's lines
	// for each.
	MinorAlone        string `json:"minorAlone"`
	Interpreter       string `json:"interpreter"`
	Trainee           string `json:"trainee"`
	Observer          string `json:"observer"`
	Pause             string `json:"pause"`
	EndQuestion       string `json:"endQuestion"`
	UnansweredDeleted string `json:"unansweredDeleted"`
	UnansweredKept    string `json:"unansweredKept"`
	EvKeep            string `json:"evKeep"`
	EvDiscard         string `json:"evDiscard"`
	EvAskAgain        string `json:"evAskAgain"`
	EvClientCopy      string `json:"evClientCopy"`
	EvDontAskAgain    string `json:"evDontAskAgain"`
	EvNotAsked        string `json:"evNotAsked"`
	EvMinorPresent    string `json:"evMinorPresent"`
	ByTherapist       string `json:"byTherapist"`
	ByApp             string `json:"byApp"`
	Paused            string `json:"paused"`
	PausedOpen        string `json:"pausedOpen"`
	ConfirmKept       string `json:"confirmKept"`
	ConfirmDeleted    string `json:"confirmDeleted"`
	ConfirmUnansKept  string `json:"confirmUnansKept"`
	ConfirmUnansDel   string `json:"confirmUnansDel"`
	ConfirmPending    string `json:"confirmPending"`
	OutcomeNotAsked   string `json:"outcomeNotAsked"`
	OutcomeMinor      string `json:"outcomeMinor"`
	// ReceiptStatement names the language and Page.Version of the
	// statement the people answered.
	ReceiptStatement string `json:"receiptStatement"`
}

// role is r in this language's words.
func (w *words) role(r Role) string {
	switch r {
	case RoleClient:
		return w.Roles.Client
	case RolePartner:
		return w.Roles.Partner
	case RoleFamily:
		return w.Roles.Family
	case RoleGuardian:
		return w.Roles.Guardian
	case RoleMinor:
		return w.Roles.Minor
	case RoleInterpreter:
		return w.Roles.Interpreter
	case RoleTrainee:
		return w.Roles.Trainee
	case RoleObserver:
		return w.Roles.Observer
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// catalog holds every embedded language by tag. A file that cannot be
// read is left out and its error kept in catalogErrs, which the package's
// tests require to be empty: it is a build defect, never a user's.
var catalog, catalogErrs = loadCatalog(langFiles)

// loadCatalog reads every lang/*.json of files, refusing unknown keys
// and a file that names another language.
func loadCatalog(files fs.FS) (map[string]*words, []error) {
	return LoadLanguages(files, "lang/*.json", func(w *words) string { return w.Language })
}

// LoadLanguages reads each file of files that matches pattern (such as
// "lang/*.json") into a new T with DecodeStrict, keyed by the language
// tag that tag reads from it, which must be the file's name ("es" for
// es.json): consent's statement wording, and the client screen's (package
// app), are kept so. A file that cannot be read, decoded, or names another
// language is left out, and its error, naming the file, returned.
func LoadLanguages[T any](files fs.FS, pattern string, tag func(*T) string) (map[string]*T, []error) {
	byTag := map[string]*T{}
	names, err := fs.Glob(files, pattern)
	if err != nil {
		return byTag, []error{err}
	}
	var errs []error
	for _, name := range names {
		v := new(T)
		b, err := fs.ReadFile(files, name)
		if err == nil {
			err = DecodeStrict(b, v)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); err == nil && tag(v) != want {
			err = fmt.Errorf("says language %q", tag(v))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		byTag[tag(v)] = v
	}
	return byTag, errs
}

// wordsOf is the wording of language tag, English for "" or a tag with no
// language file (and empty words if even English failed to load, which
// the tests rule out).
func wordsOf(tag string) *words {
	if w, ok := catalog[tag]; ok {
		return w
	}
	if w, ok := catalog[DefaultLanguage]; ok {
		return w
	}
	return new(words)
}

// LanguageInfo describes one language a client may read.
type LanguageInfo struct {
	// Tag is the BCP 47 tag ("de"), as stored with a client.
	Tag string
	// Name is the language in its own words ("Deutsch").
	Name string
	// Checked says who checked the wording and when, or
	// "machine-drafted, not yet reviewed by a native speaker".
	Checked string
}

// Languages lists every language of the consent wording, English first,
// then by tag.
func Languages() []LanguageInfo {
	var out []LanguageInfo
	for _, w := range catalog {
		out = append(out, LanguageInfo{Tag: w.Language, Name: w.Name, Checked: w.Checked})
	}
	slices.SortFunc(out, func(a, b LanguageInfo) int {
		switch {
		case a.Tag == b.Tag:
			return 0
		case a.Tag == DefaultLanguage:
			return -1
		case b.Tag == DefaultLanguage:
			return 1
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	return out
}

// KnownLanguage reports whether tag has a language file.
func KnownLanguage(tag string) bool {
	_, ok := catalog[tag]
	return ok
}

// LanguageName is the language of tag in its own words ("Español"), or
// tag itself when there is no such language file.
func LanguageName(tag string) string {
	if w, ok := catalog[tag]; ok {
		return w.Name
	}
	return tag
}
