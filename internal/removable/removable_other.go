//go:build !linux

package removable

func check(string) error { return ErrCannotTell }
