// Package storage keeps everything Assent keeps: the practice database
// (clients, sessions, participants, consent events, recordings, notes,
// settings), the passphrase vault, the encrypted recording files and the
// tamper-evident audit log. It keeps them confidential, deletes recordings
// for good, and loses nothing that was agreed when the app crashes.
//
// It imports no other package of Assent: consent events arrive as
// ConsentEvent values carrying the consent package's JSON, and audio as MP3
// bytes written to a RecordingWriter. Only this package turns an ID into a
// path.
//
// # Using it
//
// Open a data folder, then either set up the vault (first run) or unlock it:
//
//	db, err := storage.Open(dir, storage.Options{})
//	ok, err := db.HasVault()
//	recoveryKey, err := db.CreateVault(passphrase) // first run: show the key once
//	err = db.Unlock(passphrase)                    // later runs
//
// A session is recorded as one or more segments, each a recording:
//
//	w, err := db.NewRecording(sessionID, segment, deleteOn, purposes)
//	io.Copy(w, encoder) // MP3 bytes; each ~1 s chunk is sealed and fsynced
//	err = w.Close()     // seals the final chunk, marks the recording complete
//
//	r, err := db.OpenRecording(id) // io.ReadSeekCloser over the MP3 bytes
//	t, err := db.RecordingTerms(id) // what it may be kept and used for, as sealed with its key
//
// Clients, sessions, participants, consent events, settings, the audit log,
// Status, DeleteNow and Purge need no passphrase; sealing or opening audio,
// peaks and notes does (ErrLocked), and so do the checks that compare the
// database with what is sealed: VerifyTerms, VerifyConsentData and
// VerifyAuditAnchor.
//
// # Data folder
//
//	<dir>/assent.db                SQLite database (with -wal and -shm beside it)
//	<dir>/recordings/<id>.rec      one sealed file per recording (internal/recfile/FORMAT.md)
//	<dir>/recordings/CACHEDIR.TAG  keeps backup tools out of recordings/ (see Backups)
//	<dir>/assent.lock              empty; locked by the open window (ClaimForApp)
//	<dir>/owed/                    steps not yet stored and cuts not yet done (see Owed steps)
//
// The folders are the user's alone (0700) and so are the database's files
// (0600): Open takes group's and others' access away from what it finds,
// creates assent.db itself (SQLite would make it 0644, and gives -wal and
// -shm the database's mode), and refuses with ErrUnsafeFolder a folder or
// file that belongs to another user, stays writable by others, or (below
// the data folder) is a symbolic link. Windows has no permission bits:
// there the folder's access list, inherited from the user's profile, keeps
// others out, and only links are refused.
// The database is opened with WAL journaling (playback never blocks
// recording), synchronous=FULL (a committed transaction survives a power
// cut), foreign keys, a busy timeout (`assent purge` may run alongside the
// app) and secure_delete (freed content is overwritten). Its schema is
// versioned with PRAGMA user_version and upgraded by embedded migrations,
// one transaction each; a database from a newer Assent is refused
// (ErrNewerSchema), a damaged or foreign file reported (ErrCorrupt). Each
// transaction reads the clock (Options.Now) once, so rows written together
// carry one time.
//
// # Looking without changing
//
// OpenReadOnly opens a folder for `assent status`, `assent verify` and
// `assent purge --dry-run`, which may run beside the app or from a
// scheduler: nothing in the folder changes, not the database, not its -wal
// and -shm files, not a mode. It does none of the repairs Open makes; its
// Pending says what they would be. Its Unlock checks the passphrase
// without writing or counting.
//
// # Backups
//
// The database is backed up like any clinical record; the recordings are
// not, by design (CacheDirTag): a backup must not bring back a recording
// past its deletion date. A database restored without them opens as it
// was, and each live recording reads as not in the backup
// (Recording.FileMissing; OpenRecording returns ErrNotInBackup). Nothing is
// erased for it, and purge deletes each on its date.
//
// # Encryption at rest
//
// A random 256-bit master key is created with the vault. It is stored only
// wrapped (XChaCha20-Poly1305): once under a key derived from the
// therapist's passphrase with Argon2id (parameters stored with it; the
// default costs 0.3–0.8 s and 192 MiB on the 2-core development machine), and once under a
// 160-bit recovery key, shown once as 8 groups of 4 characters for the
// therapist to print. Changing the passphrase re-wraps only the master key.
// Failed unlocks are counted in the database: after MaxAttempts in a row
// every further attempt must wait (RetryError), doubling up to BackoffMax,
// across restarts.
//
// Every recording has its own random 256-bit key, wrapped by the master key
// in its row; from it, HKDF derives one key for the file's chunk stream,
// one for its waveform peaks and one for its markers (the moments the
// therapist marked while recording, sealed with the recording at Close). The file is a header and a sequence of chunks
// sealed with ChaCha20-Poly1305 in the STREAM construction of age: the
// nonce is the chunk index and a final flag, and the header is authenticated
// with every chunk, so a flipped bit, reordered or spliced chunks, or a
// missing end are detected (ErrTampered, ErrTruncated) and no unauthenticated
// byte is ever returned. Package internal/recfile reads and writes the
// file, and its FORMAT.md specifies it.
//
// The wrap also binds what the recording was agreed under (wrap version 2):
// its row holds, beside the wrapped key, its terms as JSON
// ({"session":ID,"until":Unix nanoseconds,"purposes":[...],"policy":hex
// SHA-256 of the session's policy as stored, "" for none}), and the key is
// sealed with "assent/v2 recording key <id>\n<terms as stored>" as
// associated data; an Assent before this wrapped it with "assent/v1
// recording key <id>" and no terms (version 1). Editing the terms makes the
// key unopenable: nothing is played, and VerifyTerms says so. The columns
// delete_on and purposes may only narrow the terms: the date in force is
// the earlier of the column's and the sealed one, the purposes in force
// the sealed ones the column still names; a purpose added or a session
// changed in the database gains nothing, and a session policy changed
// after the recording began refuses every use (RecordingTerms,
// ErrTampered). A shorter choice (ShortenDeletion) is sealed with the keys
// at once while unlocked; made at a locked screen, it changes the column
// only (the sealed date stays the upper bound) until the next unlock
// re-wraps the keys with it. That unlock also re-wraps every version-1 key
// with its terms (AuditTermsSealed), its date no later than the audit
// log's recording.started row says, in batches of transactions that each
// leave every key valid in one version or the other; OpenRecording and
// RecordingTerms seal a key they meet still in version 1. The purposes of
// a version-1 key are taken from its column: nothing older recorded them
// elsewhere to check them by. Purge and the listings read the terms
// without the key (an edit of them can only make a recording go sooner or
// never play); a recording whose column and terms were both moved later by
// hand is then not deleted on its date, but never played either, and
// VerifyTerms names it.
//
// Each session's notes (progress notes, process notes and ink) are sealed
// as one blob under the session's own notes key, wrapped by the master
// key, bound to the session, the revision and the blob's layout. Process
// notes are the therapist's private notes: storage keeps them like the
// rest, and nothing that leaves the practice may read them (the app's
// client record reads Notes.Text only). SearchNotes searches a client's
// notes in memory and writes nothing.
//
// Audio, peaks and notes never reach the disk unencrypted, not even in
// temporary files; a test scans every file of the data folder for a known
// pattern.
//
// Client labels and participant names are sealed with the master key too,
// each bound to its row, and so are consent events' data when appended
// while unlocked; they read as empty (or ErrLocked, for event data) while
// the vault is locked, and writing a label or a name needs it unlocked
// (names.go). A client's Stop while the therapist's screen is locked
// appends its consent steps as given: those carry no names, since only the
// therapist records someone joining. Labels and names written by an older
// Assent are sealed at the next unlock (audit kind AuditNamesSealed);
// consent events it wrote stay as they were (the history is append-only).
// Each consent event's audit row says whether its data was sealed or
// stored as given at a locked screen; from the point where the audit log
// began to be anchored (AuditAnchored), data stored as given without its
// audit row saying the vault was locked was put there by hand:
// ConsentEvents refuses the session's history (ErrTampered) and
// VerifyConsentData names it. Data added by hand with an audit row saying
// the vault was locked, after the anchor, looks like a client's Stop and is
// not found (see Audit).
// Not encrypted, and so visible to whoever has the database file: the
// kinds, times and actors of consent steps, participants' roles, recording
// metadata (times, sizes, deletion dates, purposes), settings and the audit
// log, which holds IDs, never names. Keys
// in memory are zeroed when done with (Lock zeroes the master key), but Go
// may have made copies, and nothing is locked against swapping.
//
// # Retention
//
// A recording is deleted by destroying its key: DeleteNow (the therapist,
// or a RecordingWriter.Abort), a consent event with WithdrawDeleteAll, and
// Purge (deletion date reached) erase the wrapped key, peaks and markers in one
// transaction, with an audit row, and keep the row as a tombstone (state
// deleted, when, why) so the client's record stays true. Then the file is
// unlinked and the WAL checkpointed, so no copy of the key lingers there.
// From the commit on, nothing of the recording can be decrypted, whatever
// remains of the file on an SSD or in a backup. None of this needs the
// passphrase. A deletion interrupted after the commit is finished by the
// next Open or Purge.
//
// DeleteAfter ("delete the last few minutes") keeps the start of a
// recording: it re-seals the kept bytes under a new key into a new file and
// destroys the old key and file the same way, so the dropped part cannot be
// decrypted from any remains either; markers in the dropped part are
// dropped with it, the others re-sealed under the new key. It takes the
// same crash-safe steps as recovery (see Recovery, and
// internal/recfile/FORMAT.md). It needs the passphrase.
//
// Due is the retention rule as a pure function: a recording is due when its
// deletion date is at or before now. Deletion dates are instants, fixed when
// the recording begins and sealed with its key (see Encryption at rest);
// the date in force is the earlier of the database's and the sealed one,
// and Recording, Status and Purge all go by it. Purging never deletes
// early by that date and never skips. Notes are never deleted with
// recordings.
//
// The clock may be wrong. Storage keeps the latest time seen (LatestSeen):
// every write transaction raises it to its own time, and so does every
// Purge, `assent purge` without the passphrase included; it survives
// restarts (the clock table, and under the key in the audit log's anchor).
// Purge(now) and DueForDeletion(now) go by the later of now and it, so a
// clock put back never delays a deletion. While the clock reads more than
// ClockTolerance (a day) before it, OpenRecording and NewRecording refuse
// (*ClockBehindError, with both times); purging still runs. Within the
// tolerance, the later time still decides what is due: OpenRecording
// refuses a recording whose date in force has come (ErrPastDeletionDate,
// which matches ErrDeleted), before any purge ran. A clock once set far
// ahead by mistake is believed: what fell due by it is deleted, and
// playback is refused until the clock reaches it again.
//
// # Recovery
//
// A crash or power cut leaves the recording being written in state
// "recording", its file ending without a final chunk (perhaps in a torn
// one). At most the chunk being filled is lost: every full chunk was
// fsynced before the next byte was taken.
//
// Open does what needs no key: it erases every recording of a session that
// holds a withdrawal with "delete all" made after the recording began
// (ConsentEvent.WithdrawDeleteAll, stored in consent_events and compared
// with recordings.consent_seq), so such a fragment is never recovered, and
// unlinks files that deletions and recoveries left behind. It also removes,
// with an audit row each (AuditOrphanRemoved, RemovedOrphans), recording
// files that no row names: a damaged WAL that lost its last transactions,
// or an older assent.db put back, leaves a file whose key went with its
// row, which nothing could play and nothing would ever delete. A database
// that cannot be trusted to say so (no vault, or failing SQLite's quick
// check) is refused instead, and nothing is removed.
//
// Unlock (and UnlockWithRecoveryKey) then recovers the rest, at the first
// moment the key is there: every authentic whole chunk is kept, re-sealed
// under a new key in a new file that ends in a proper final chunk, and the
// recording is marked "recovered" with an audit row (Recovery,
// LastRecovery); the old file is then removed and the WAL checkpointed. A
// recording with no whole chunk is erased. A recording that
// a live RecordingWriter holds, in this process or (through a file lock,
// where the OS has flock) in another, is left alone. Each step is recorded
// in the database before it is taken, so a crash during recovery is itself
// recovered.
//
// # Owed steps
//
// A client's step that cannot be stored (the database busy past its
// timeout because `assent purge` or a backup holds it, a write error) is
// owed: OweConsentEvent and OweCut write it to the owed journal, which
// needs no SQLite, and it is finished as soon as it can be: the next
// AppendConsentEvent of its session stores the owed events first, in the
// same transaction (nothing of a session is stored out of order);
// FinishOwed does all of it on request; Open stores the events (a "delete
// all" erasing in its own transaction, as always) and deletes the cuts'
// whole recordings; Unlock, after recovery, cuts what needs the key. Each
// returns only after trying; what still cannot be finished stays in the
// journal. Meanwhile nothing owed can be played or exported:
// OpenRecording refuses (ErrOwed) every recording of the session begun
// before an owed "delete all" and every recording an owed cut names, in
// any process, since it reads the journal on disk (RecordingOwed asks
// without playing); and NewRecording begins none in a session that owes
// events. Status counts the items.
//
// The journal is the folder owed/, one file per item, each one JSON
// object, written to a temporary file (.owing-*), fsynced, renamed into
// place and the folder fsynced; a finished item's file is removed. Files
// of any other name are ignored. An item that cannot be read (or of
// another version) refuses everything of its session, and is left for a
// person to look at.
//
//	owed/<session id>.<seq>.event   a consent event, seq its place in the session's history:
//	  {"version":1, "session":ID, "seq":N, "kind":"withdraw", "at":RFC 3339 time,
//	   "actor":"participant", "participant":ID or absent,
//	   "data":base64, "withdrawDeleteAll":true or absent, "owedAt":RFC 3339 time}
//	owed/<session id>.<seq>.cut     the deletion "delete the last minutes" fixed when chosen:
//	  {"version":1, "session":ID, "seq":N (the withdrawal's), "delete":[recording IDs],
//	   "trim":recording ID, "keep":MP3 bytes of trim kept, "reason":text, "owedAt":time}
//
// data is the event's data as the database keeps it: sealed under the
// master key for its session and seq when owed while unlocked, else the
// consent package's JSON as given, which for the steps a client takes
// (an answer, a pause, a stop with its choice, an end) holds the kind,
// the time, who acted and who answered as participant IDs, the days kept
// and the withdrawal's choice and minutes: no names. (A join names the
// person joining; it is owed only while unlocked, so sealed.) Reasons
// name nobody. No item holds audio or keys.
//
// Finishing is safe to repeat and to race, across processes: an owed
// event whose seq is already stored (its commit's answer was lost, or
// another process finished it first) is skipped if it is the one stored
// there, and refused (ErrOwed) if not; deleting a deleted recording, or
// cutting one already as short, does nothing.
//
// # The client's last word
//
// A session begun with ConfirmAtEnd promised the question at the end: its
// recordings are unconfirmed (Recording.Unconfirmed) and OpenRecording
// refuses them (ErrUnconfirmed), for playback and export alike, until
// ConfirmSession stores a keeping answer ("kept", "kept-unanswered"). The
// deleting answers come with the consent event that erased the recordings
// (ConsentEvent.WithdrawDeleteAll). UnansweredSessions lists sessions that
// ended with the question open (a crash while answering), for the next
// unlock to close by the practice's rule. The client's record keeps "please
// don't ask me again" (SetNotAsked) and whether a minor client decides
// alone (SetMinorDecidesAlone), each audited; a participant row keeps
// whether that minor decided alone. The confirmation is a column, not
// sealed with the recording's key: editing it by hand in the database
// could make an unconfirmed recording playable (the consent history and
// the audit log still tell the truth).
//
// # Audit
//
// Every unlock and failed unlock, vault change, consent event, recording
// start, stop, playback, recovery and deletion writes an audit row in the
// same transaction as the event; the app adds its own (exports) with Audit.
// Each row stores the SHA-256 of the previous row's hash and of its own
// canonical content, and IDs never repeat; VerifyAudit walks the chain and
// names the first row that was altered, removed or reordered (*AuditError),
// and notices rows removed from the end. Triggers refuse UPDATE and DELETE
// on the audit and consent_events tables. Audit rows hold IDs and kinds,
// never names, labels or clinical content.
//
// The chain itself is not keyed (purging writes rows without a
// passphrase), so it reveals edits, not an editor who recomputes every
// later hash. The anchor is: a row (audit_anchor) holding the ID and hash
// of the chain's head and the latest time seen, under an HMAC-SHA256 keyed
// by HKDF(master key, "assent/v1 audit anchor"). Every write transaction
// made with the key (while unlocked, and Unlock, CreateVault and a
// passphrase change themselves) renews it before it commits. Rows after
// the anchor were therefore written without the key: by a purge, a
// client's Stop at a locked screen, a recording closing after the screen
// locked, a failed unlock, or by hand. A renewal first checks them: the
// anchored row must still be there with its hash, the log no shorter, and
// each later row of a kind written without the key (LockedAuditKind);
// what is wrong is written into the log (AuditAnchorProblem) before the new
// anchor, so the evidence is anchored too. VerifyAuditAnchor (unlocked)
// repeats those rows and checks the anchor as it stands. The first
// anchoring writes AuditAnchored, so an anchor removed later is noticed.
// Limits: a row of a kind written without the key (a purge's deletion, a
// consent step), added with a correct hash after the anchor, cannot be
// told from the real thing, and is anchored by the next write with the
// key; and the whole database put back as it was (a restored backup, with
// its anchor) is consistent. AuditHead, or AuditHeadShort ("#<row> <first
// 8 hex digits>") printed on a receipt or noted from `assent status`, is
// the value to keep elsewhere against both.
//
// # Concurrency
//
// A DB is safe for concurrent use; a RecordingWriter's Write and Close may
// run on the audio goroutine. Several processes may open the same folder
// (the app, `assent purge`; `assent status` and `verify` read-only);
// SQLite serialises their writes. Lock does not stop a recording in progress (stopping is the
// client's decision, not the screen lock's) but stops playback.
package storage
