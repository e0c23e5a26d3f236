//go:build !unix && !windows

package embedded

import (
	"errors"
	"os"
)

func tryLock(*os.File) error { return errors.New("file locking is not supported on this platform") }

func unlock(*os.File) error { return nil }
