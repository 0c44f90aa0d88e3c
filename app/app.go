// Package app is Assent's user interface, built with Fyne.
//
// The UI is made from a fyne.App and a fyne.Window that the caller owns
// (cmd/assent in the real program, fyne.io/fyne/v2/test in tests) and from
// the services it drives: the storage.DB, and through Options the
// microphones (Microphones), the loudspeaker (audio.Speaker) and the MP3
// encoder. It never creates an app, a window or a device of its own.
//
// # Screens
//
// The therapist's screens: set-up (the practice passphrase, typed twice,
// the recovery key shown once, and the offer to have the computer delete
// recordings on their date while Assent is closed: Options.Schedule),
// unlock, the practice (clients and their sessions), a new session (who is
// present), the session (its state in words, the recording controls,
// "Mark this moment", and the notes: typed progress notes with templates,
// private process notes, handwriting), a client's notes searched and a
// past session's notes (notessearch.go), the recordings library (with the
// markers and the timestamped lines of the notes), a client's record, and
// the settings. Nothing of the
// practice is shown while locked; the practice locks after the auto-lock
// time without any action.
//
// # The client screen
//
// The laptop turned to the client is a kiosk: this session's consent
// question, each person's two equal answers, "Microphone off — not
// recording" in words until everyone has said yes, then the recording with
// a large "Stop recording" that needs no passphrase, and the end-of-session
// summary. Nothing on it leads to other clients or the practice; leaving it
// for the therapist's screens needs the passphrase.
//
// Every sentence a client reads there, in the end-of-session summary and
// in their record (on screen and as a PDF) is named in clienttext.go and
// worded in clientlang/<tag>.json, one file per language: the client's
// language, chosen on the start screen and stored with the client. The
// consent question and receipt are package consent's (consent/lang/). The
// therapist's screens stay in the app's language (English).
//
// # Order of work
//
// consent decides first, the decision is stored, and only then is the
// microphone opened with the Grant consent made: package session does it,
// and the screens show what its steps return. A stop revokes the Grant at
// once, so the audio goroutine reads no further frame even before the
// recorder is told.
//
// # Threads
//
// Slow work (deriving a key from the passphrase takes about a second on
// purpose) runs in its own goroutine; it reaches widgets only through
// fyne.Do, as FyneApp.toml declares with [Migrations] fyneDo = true. The
// purge (at start and every minute) and the auto-lock run in the
// background too (housekeeping.go), and the library's player (player.go)
// shows its position from a ticker.
package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// Options are the settings the UI needs from whoever wires it.
type Options struct {
	// DataDir is the folder holding the practice's data, shown to the
	// therapist so they know where it lives.
	DataDir string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logf receives details that the screens summarise in a short sentence
	// (for example a driver error). nil means log.Printf.
	Logf func(format string, args ...any)
	// Location is the time zone deletion dates are calendar dates in; nil
	// means time.Local.
	Location *time.Location

	// Microphones lists the microphones and makes the one chosen on the
	// settings screen (the system default unless another was chosen). nil,
	// or none listed, means there is no microphone: the consent screen
	// then says recording is unavailable, and notes only works.
	Microphones Microphones
	// Schedule is the operating system's hourly `assent purge`, offered
	// after set-up and in the settings so that recordings are deleted on
	// their date even when Assent is closed. nil offers none: the settings
	// then say that deletion happens while Assent is open.
	Schedule Schedule
	// Speaker plays the start and stop chimes; nil leaves them silent.
	Speaker audio.Speaker
	// NewEncoder makes the MP3 encoder for a bitrate in kbit/s (32, 48 or
	// 64, from the settings): audio/lame in the real program.
	NewEncoder func(bitrate int) audio.NewEncoderFunc
	// AutoLock, if positive, overrides the auto-lock time of the settings
	// (default 10 minutes without any action).
	AutoLock time.Duration
	// Quitting, if set, is called by Quit once everything is shut down
	// (the session ended, the keys forgotten), just before it asks the
	// app's loop to end. cmd uses it to make sure the process ends even if
	// that loop misses the request.
	Quitting func()
	// Version is what the menu's About shows: the version and the commit
	// built from, as `assent --version` prints them.
	Version string
}

// UI is Assent's window content and the state behind it.
type UI struct {
	app fyne.App
	win fyne.Window
	db  *storage.DB
	opt Options

	// work counts background jobs so that tests (and Close) can wait for
	// them to finish.
	work sync.WaitGroup

	// screen is the screen currently shown; tests read it.
	screen screen
	// run is the session under way, if any.
	run *session.Session
	// house is the purge and auto-lock running in the background.
	house *housekeeping
	// houseTick, if positive, is how often the housekeeping purges and
	// checks for idleness: tests shorten it. Otherwise purgeInterval and
	// a quarter of the auto-lock time (at most 15 s).
	houseTick time.Duration
	// tray is the system-tray icon, nil where there is none.
	tray *tray
	// check is the microphone level test under way on the settings
	// screen, if any; showing another screen stops it.
	check *micCheckRun
	// closingSessions: a background job is ending sessions a crash left
	// open (see showPractice).
	closingSessions bool
	// closing: Shutdown has begun; shutdown runs it once.
	closing  atomic.Bool
	shutdown sync.Once
	// do runs a function on the UI goroutine: fyne.Do. Fyne's test driver
	// runs fyne.Do at once on the caller's goroutine, so tests replace it
	// with a queue that the test goroutine drains.
	do func(func())

	// menu is the window's menu (Lock, Quit); the client screens hide it.
	menu *fyne.MainMenu
	// clientMode: a client screen is up, full screen, with no menu;
	// quitting or closing from it needs the passphrase.
	clientMode bool
	// therapistSize is the window's size before a client screen made it
	// full screen, given back after.
	therapistSize fyne.Size
	// clientTries limits wrong passphrases typed at the client screen.
	clientTries clientTries
}

// clientFacing marks the screens the client reads: while one is up the
// window is a kiosk (see enterClientMode).
type clientFacing interface{ clientFacing() bool }

// quitKey is Ctrl+Q (Cmd+Q on macOS), the menu's Quit.
var quitKey = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}

// screen is one of the UI's pages.
type screen interface {
	// content returns the page's widgets.
	content() fyne.CanvasObject
	// focus returns the widget that should take the keyboard first, or nil.
	focus() fyne.Focusable
}

// New returns the UI for db in win. Call Start to show the first screen.
func New(a fyne.App, win fyne.Window, db *storage.DB, opt Options) *UI {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logf == nil {
		opt.Logf = log.Printf
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	return &UI{app: a, win: win, db: db, opt: opt, do: fyne.Do}
}

// Start shows the first screen: setting the practice passphrase on first run,
// unlocking afterwards. It also installs the window's menu, whose keyboard
// shortcuts work whatever has the focus: Ctrl+L locks, Ctrl+Q quits.
func (u *UI) Start() {
	lock := fyne.NewMenuItem("Lock", u.Lock)
	lock.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}
	quit := fyne.NewMenuItem("Quit", u.Quit)
	quit.Shortcut = quitKey
	quit.IsQuit = true
	u.menu = fyne.NewMainMenu(fyne.NewMenu("Assent", u.aboutItem(), lock, fyne.NewMenuItemSeparator(), quit))
	u.win.SetMainMenu(u.menu)
	u.win.SetCloseIntercept(u.requestClose)
	u.tray = newTray(u.app, u.win.Show, u.requestQuit)
	u.showLockScreen()
	u.startHousekeeping()
}

// Lock forgets the keys in memory and shows the unlock screen. It is safe to
// call when already locked. While a session is recording, Lock shows the
// client screen instead: it reveals nothing of the practice, leaving it
// needs the passphrase, and the client's recording and "Stop" go on.
func (u *UI) Lock() {
	if u.run != nil && u.run.Recording() {
		if _, ok := u.screen.(*kioskScreen); !ok {
			if s, ok := u.screen.(notesHolder); ok {
				s.saveNotes()
			}
			u.show(newKioskScreen(u, u.run))
		}
		return
	}
	if s, ok := u.screen.(notesHolder); ok {
		s.saveNotes()
	}
	u.db.Lock()
	u.showLockScreen()
}

// Quit ends the application: a level test is stopped, notes are saved, the
// session under way is ended (what is being recorded is sealed: nothing
// agreed is lost), and the keys are forgotten. Ctrl+Q, the window's close
// button, the tray's Quit and a logout all come here.
func (u *UI) Quit() {
	if u.closing.Load() {
		return // Shutdown has begun elsewhere (a signal Fyne caught)
	}
	u.Shutdown()
	if u.opt.Quitting != nil {
		u.opt.Quitting()
	}
	u.app.Quit()
}

// requestQuit is a Quit from where a client may be: from a client screen
// it needs the passphrase first (the client's Stop never does).
func (u *UI) requestQuit() {
	if u.clientMode {
		u.askPassphrase(u.Quit)
		return
	}
	u.Quit()
}

// requestClose is the window's close button. From a client screen it needs
// the passphrase. With no session open it quits; with one, it asks first,
// since closing ends the session (and the button is easier to press by
// mistake than Ctrl+Q).
func (u *UI) requestClose() {
	if u.clientMode {
		u.askPassphrase(u.Quit)
		return
	}
	if u.run == nil {
		u.Quit()
		return
	}
	d := dialog.NewConfirm("Close Assent?", closeSessionText(u.run), func(ok bool) {
		if ok {
			u.Quit()
		}
	}, u.win)
	d.SetConfirmText("Close Assent")
	d.SetDismissText("Keep it open")
	d.Show()
}

// closeSessionText says what closing Assent does to run and what it
// recorded, as shutdownNow will do it: with the question at the end,
// nobody is left to answer it, and the practice's rule (which the
// statement told the client beforehand) decides at once.
func closeSessionText(run *session.Session) string {
	msg := "Closing Assent ends today's session."
	if run.Recording() {
		msg += " Recording stops."
	}
	switch {
	case run.Unconfirmed() && run.Policy().KeepUnconfirmed:
		msg += " Nobody can answer the question at the end, so, as the practice's rule says, what was recorded today is kept until its deletion date."
	case run.Unconfirmed():
		msg += " Nobody can answer the question at the end, so, as the practice's rule says, what was recorded today is deleted now."
	case run.Recording():
		msg += " What was recorded is kept until its deletion date."
	}
	return msg
}

// Shutdown does what Quit does apart from ending the app's loop: cmd calls
// it after the loop has ended, whatever ended it (Fyne also quits by itself
// on SIGINT and SIGTERM), so that a session is never left open and no key
// outlives the window. The first call does the work; a concurrent one
// waits for it, a later one returns at once. From its start, background
// jobs no longer report to the screen, and it waits for them, so an unlock
// that finishes meanwhile cannot leave the key in memory.
func (u *UI) Shutdown() {
	u.closing.Store(true)
	u.shutdown.Do(u.shutdownNow)
}

func (u *UI) shutdownNow() {
	// The notes on screen are saved first: the loop has stopped or is
	// about to, so nothing else touches their widget.
	if s, ok := u.screen.(notesHolder); ok {
		s.saveNotes()
	}
	u.stopMicCheck()
	u.tray = nil // closing: the icon goes with the app
	if r := u.run; r != nil {
		// The session ends with the app (nothing could resume it); the
		// client's record says so, by the app, and when.
		u.run = nil
		r.Silence() // no widget is touched from here on
		if err := r.End(consent.System()); err != nil {
			u.opt.Logf("ending the session as Assent closes: %v", err)
		}
		if r.State() == consent.Confirming {
			// Nobody is left to answer the question at the end: it is
			// closed now, by the practice's rule (closeSessionText).
			if err := r.End(consent.System()); err != nil {
				u.opt.Logf("closing the question at the end as Assent closes: %v", err)
			}
		}
	}
	u.stopHousekeeping()
	u.work.Wait() // an unlock, an export, sessions being ended
	u.db.Lock()
}

// Wait blocks until background work started by the UI has finished.
func (u *UI) Wait() { u.work.Wait() }

// showLockScreen shows the set-up screen if the practice has no passphrase
// yet, the unlock screen otherwise.
func (u *UI) showLockScreen() {
	has, err := u.db.HasVault()
	if err != nil {
		u.opt.Logf("reading the vault: %v", err)
		u.show(newProblemScreen("Assent cannot read its data folder. Nothing has been changed. Please restart Assent; if this happens again, see the log."))
		return
	}
	if has {
		u.show(newUnlockScreen(u))
	} else {
		u.show(newSetupScreen(u))
	}
}

// leaver is a screen with work of its own (a ticker, a timer, a player)
// that must end when another screen replaces it: leaving ends it.
type leaver interface{ leaving() }

// show replaces the window's content with s and focuses its first field.
// The screen it replaces stops everything it runs (see leaver and
// setContent): a replaced screen costs nothing.
func (u *UI) show(s screen) {
	u.touch()
	u.stopMicCheck()
	if l, ok := u.screen.(leaver); ok && u.screen != s {
		l.leaving()
	}
	u.screen = s
	if c, ok := s.(clientFacing); ok && c.clientFacing() {
		u.enterClientMode()
	} else {
		u.leaveClientMode()
	}
	u.setContent(s.content())
	if f := s.focus(); f != nil {
		u.win.Canvas().Focus(f)
	}
	// Which screen is up, never what is on it: the log says where a
	// problem happened, and the end-to-end test waits on it.
	u.opt.Logf("screen: %s", screenName(s))
}

// setContent replaces the window's content with c. What had the keyboard
// is told it lost it first: Fyne keeps a focused entry's blinking cursor
// (an animation, redrawing the window) running after its entry is gone
// from the window, for as long as the app runs.
func (u *UI) setContent(c fyne.CanvasObject) {
	u.win.Canvas().Unfocus()
	u.win.SetContent(c)
}

// enterClientMode turns the window into a kiosk for a client screen: full
// screen (nothing of the therapist's desktop around it), no menu, and Ctrl+Q
// asking for the passphrase before it quits.
func (u *UI) enterClientMode() {
	if u.clientMode {
		return
	}
	u.clientMode = true
	u.therapistSize = u.win.Canvas().Size()
	u.win.SetMainMenu(nil)
	u.win.Canvas().AddShortcut(quitKey, func(fyne.Shortcut) { u.requestQuit() })
	u.win.SetFullScreen(true)
}

// leaveClientMode gives the therapist's screens their window back: its
// size, its menu.
func (u *UI) leaveClientMode() {
	if !u.clientMode {
		return
	}
	u.clientMode = false
	u.win.Canvas().RemoveShortcut(quitKey)
	u.win.SetFullScreen(false)
	u.win.SetMainMenu(u.menu)
	if !u.therapistSize.IsZero() {
		u.win.Resize(u.therapistSize)
	}
}

// screenName is a screen's type without its package and suffix: "kiosk"
// for *kioskScreen.
func screenName(s screen) string {
	return strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", s), "*app."), "Screen")
}

// showAfterUnlock shows what the therapist was doing before the lock: the
// session still open, if any (its notes were saved at the lock), else the
// practice.
func (u *UI) showAfterUnlock() {
	if u.run != nil {
		u.show(newSessionScreen(u, u.run))
		return
	}
	u.showPractice()
}

// showPractice shows the practice after an unlock, saying what crash
// recovery did, which files without a record were removed since the
// therapist was last told, and how many sessions a crash left open were
// ended.
func (u *UI) showPractice() {
	// Files any process's Open removed since the therapist was last told,
	// and sessions a crash left open: those are ended in the background
	// (after an upgrade there may be many), one job at a time; one the
	// vault's locking interrupts is finished after the next unlock.
	recovered, orphans := u.db.LastRecovery(), u.orphansToTell()
	var abandoned []storage.Session
	if !u.closingSessions {
		current := ""
		if u.run != nil {
			current = u.run.ID()
		}
		var err error
		if abandoned, err = session.LeftOpen(u.db, current); err != nil {
			u.opt.Logf("listing sessions left open: %v", err)
		}
	}
	p := newPracticeScreen(u)
	p.notice.SetText(u.practiceNotice(recovered, orphans, 0))
	u.show(p)
	if u.closingSessions || len(abandoned) == 0 && len(recovered) == 0 {
		return
	}
	u.closingSessions = true
	closed := 0
	u.background(func() error {
		// Crash recovery (in the unlock) kept the audio; its waveform is
		// decoded from it.
		session.RestorePeaks(u.db, recovered, u.opt.Logf)
		closed = session.EndLeftOpen(u.db, abandoned, u.opt.Location, u.opt.Logf, func() bool { return !u.closing.Load() })
		return nil
	}, func(error) {
		u.closingSessions = false
		if u.screen == screen(p) && closed > 0 {
			p.notice.SetText(u.practiceNotice(recovered, orphans, closed))
		}
	})
}

// askPassphrase asks for the practice passphrase over the current screen
// and calls ok once it is right. The client screens use it: leaving them
// for the therapist's needs the passphrase.
func (u *UI) askPassphrase(ok func()) {
	pass := widget.NewPasswordEntry()
	problem := newProblemLabel()
	var d *dialog.CustomDialog
	var hide func()
	check := func() {
		p := pass.Text
		if wait := u.clientTries.wait(u.opt.Now()); wait > 0 {
			pass.SetText("")
			problem.SetText(clientTriesPause(wait))
			return
		}
		u.background(func() error {
			if u.db.Unlocked() {
				// The therapist taking the laptop back: a wrong try here
				// pauses this dialog, never the therapist's own unlock.
				return u.db.CheckPassphrase(p)
			}
			return u.db.Unlock(p)
		}, func(err error) {
			if err != nil {
				pass.SetText("")
				if errors.Is(err, storage.ErrWrongPassphrase) && u.db.Unlocked() {
					if wait := u.clientTries.failed(u.opt.Now()); wait > 0 {
						problem.SetText(clientTriesPause(wait))
						return
					}
				}
				problem.SetText(unlockProblem(err))
				return
			}
			u.clientTries = clientTries{}
			hide()
			ok()
		})
	}
	// The entry gives up the keyboard before the dialog goes, which stops
	// its blinking cursor (see setContent).
	hide = func() {
		u.win.Canvas().Unfocus()
		d.Hide()
	}
	pass.OnSubmitted = func(string) { check() }
	open := widget.NewButton(passphraseOpen, check)
	cancel := widget.NewButton(passphraseBack, hide)
	d = dialog.NewCustomWithoutButtons(passphraseTitle, container.NewVBox(pass, problem, open, cancel), u.win)
	d.Show()
	u.opt.Logf("screen: passphrase dialog")
	u.win.Canvas().Focus(pass)
}

// clientTries limits the passphrase tries made from the client screen:
// after clientFreeTries wrong ones in a row the dialog pauses, first for
// clientPause, doubling up to clientPauseMax. It lives in memory only and
// never touches the unlock screen's back-off, so a client cannot lock the
// therapist out of the practice; "Stop recording" never needs it.
type clientTries struct {
	wrong int
	until time.Time
}

const (
	clientFreeTries = 3
	clientPause     = 30 * time.Second
	clientPauseMax  = 5 * time.Minute
)

// wait is how long the dialog still pauses at now.
func (c *clientTries) wait(now time.Time) time.Duration {
	return max(0, c.until.Sub(now))
}

// failed counts a wrong try at now and returns the pause it starts, if any.
func (c *clientTries) failed(now time.Time) time.Duration {
	c.wrong++
	if c.wrong < clientFreeTries {
		return 0
	}
	pause := clientPause << min(c.wrong-clientFreeTries, 4)
	pause = min(pause, clientPauseMax)
	c.until = now.Add(pause)
	return pause
}

// background runs job in its own goroutine and then done through fyne.Do.
func (u *UI) background(job func() error, done func(error)) {
	u.work.Add(1)
	go func() {
		defer u.work.Done()
		err := job()
		if u.closing.Load() {
			return // the screen is going: nothing to show
		}
		u.do(func() {
			if !u.closing.Load() {
				done(err)
			}
		})
	}()
}

// ShowOpenProblem fills win with a plain sentence saying why the practice's
// data in dir could not be opened, for when storage.Open fails before a UI
// can be made. The detail of err goes to the log, not the screen.
func ShowOpenProblem(win fyne.Window, dir string, err error) {
	msg := "Assent could not open its data in " + dir + ". Nothing has been changed. "
	switch {
	case errors.Is(err, storage.ErrInUse):
		msg = "Assent is already open for the data in " + dir + ". Please use the window that is open (it may be minimised, or behind another window)."
	case errors.Is(err, storage.ErrNewerSchema):
		msg += "The data was written by a newer version of Assent. Please install that version or newer."
	case errors.Is(err, storage.ErrUnsafeFolder):
		var ue *storage.UnsafeError
		what := "a part of it"
		if errors.As(err, &ue) {
			what = ue.Path + " " + ue.Problem
		}
		msg = "Assent's data in " + dir + " is not private to you: " + what + ". Nothing has been changed. Move the folder somewhere only you can use, or ask whoever set up this computer."
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, storage.ErrReadOnly):
		msg += "The folder cannot be written: check that it is on a writable disk and belongs to this user."
	default:
		msg += "The database may be damaged. Please keep the folder as it is and contact support."
	}
	log.Printf("opening %s: %v", dir, err)
	win.SetContent(newProblemScreen(msg).content())
}
