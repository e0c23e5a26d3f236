//go:build unix

package embedded

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system, all threads) of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
