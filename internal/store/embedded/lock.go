package embedded

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// fileLock is the writer lock of a data directory: an exclusive advisory
// lock (flock on Unix, LockFileEx on Windows) on <dir>/LOCK. The kernel
// releases it when the process dies, so a crash never leaves a stale lock.
type fileLock struct {
	f *os.File
}

// errWouldBlock is returned by tryLock when another process holds the lock.
var errWouldBlock = errors.New("lock held")

// acquireLock takes the writer lock of dir, waiting up to timeout (0: fail
// at once) for another writer to finish.
func acquireLock(dir string, timeout time.Duration) (*fileLock, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		err = tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errWouldBlock) {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if !time.Now().Before(deadline) {
			holder, _ := os.ReadFile(path)
			f.Close()
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("%w: %s (%s) is writing to %s; wait for it to finish or use another data directory", store.ErrLocked, who, path, dir)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Record the holder for the error message of the next writer.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
