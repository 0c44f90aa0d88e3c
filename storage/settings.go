package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Setting returns the value stored under key, and whether there is one.
// Settings are not encrypted: keep nothing clinical in them.
func (db *DB) Setting(key string) (value string, ok bool, err error) {
	err = db.sql.QueryRow("SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("storage: setting %q: %w", key, dbErr(err))
	}
	return value, true, nil
}

// SetSetting stores value under key, replacing any earlier value.
func (db *DB) SetSetting(key, value string) error {
	if key == "" {
		return fmt.Errorf("storage: set setting: empty key: %w", ErrInvalid)
	}
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		_, err := tx.Exec(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, nanos(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: set setting %q: %w", key, err)
	}
	return nil
}
