// Package recfile is Assent's sealed recording file: a 32-byte header and
// then the plaintext (MP3 bytes) in chunks, each sealed with
// ChaCha20-Poly1305 in the STREAM construction of age, so that every chunk
// can be made durable as soon as it is full and any change, reordering,
// truncation or splice is detected. FORMAT.md, beside this file, specifies
// the bytes; this package is the only code that reads or writes them.
//
// It knows bytes, a key and a header, nothing else: which file belongs to
// which recording, where it lives, how its key is derived and kept, and
// what the database says about it are package storage's business.
//
// # Writing
//
// NewWriter writes the header and returns a Writer; each Write seals and
// writes every chunk it completes, and Close seals what is left (possibly
// nothing) as the final chunk:
//
//	w, err := recfile.NewWriter(f, key, recfile.Header{ChunkSize: 1024, ID: id}, recfile.SyncEachChunk)
//	_, err = w.Write(mp3)
//	err = w.Close() // the final chunk: without it the file reads as truncated
//
// With SyncEachChunk the sink is synced after every chunk, so a crash loses
// at most the chunk being filled; SyncAtClose syncs only at the end, for a
// file written in one go. A key must seal one file only. After a failed
// Write, cut the file back to FileSize bytes and call Resume: Close then
// still ends the file properly, with everything written before.
//
// # Reading
//
// NewReader checks the header against the expected recording ID and
// authenticates the final chunk, so Size is true from the start; the
// Reader is an io.ReadSeeker over the plaintext that authenticates each
// chunk when it reads it and never returns a byte of one that fails:
//
//	r, err := recfile.NewReader(f, fileSize, key, id)
//	io.Copy(dst, r)
//
// Every error about the file's content matches one of ErrTampered,
// ErrTruncated (the file ends before its final chunk) and
// ErrUnsupportedFormat (another version) with errors.Is.
//
// # Salvaging a file cut short
//
// A crash leaves a file with a header, whole chunks, perhaps a torn one and
// no final chunk. Scan counts the whole authentic chunks it starts with
// (and says whether the last is final); Salvage.CopyTo writes their
// plaintext into a new Writer, under a new key, so that its Close makes the
// last of them the final chunk:
//
//	sv, err := recfile.Scan(old, oldSize, oldKey, id)
//	w, err := recfile.NewWriter(nf, newKey, sv.Header, recfile.SyncAtClose)
//	n, err := sv.CopyTo(w)
//	err = w.Close()
package recfile
