//go:build !unix

package parse

import "time"

// cpuTime is not available here: benchmarks report 0 cpu-ns.
func cpuTime() time.Duration { return 0 }
