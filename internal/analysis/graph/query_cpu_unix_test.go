//go:build unix

package graph

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system, all threads, DuckDB's
// included) of the process: on a shared machine it varies less than the
// elapsed time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
