package store

import (
	"os"
	"path/filepath"
)

// DefaultDir returns the default data directory: $FLOWLENS_DATA when set,
// else $XDG_DATA_HOME/flowlens, else ~/.local/share/flowlens. The CLI's
// --data flag takes precedence over all of them.
func DefaultDir() string {
	return defaultDir(os.Getenv, os.UserHomeDir)
}

func defaultDir(getenv func(string) string, home func() (string, error)) string {
	if d := getenv("FLOWLENS_DATA"); d != "" {
		return d
	}
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "flowlens")
	}
	h, err := home()
	if err != nil || h == "" {
		return filepath.Join(".flowlens")
	}
	return filepath.Join(h, ".local", "share", "flowlens")
}
