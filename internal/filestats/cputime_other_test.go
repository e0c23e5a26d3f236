//go:build !unix

package filestats

import "time"

// cpuTime is not available here: benchmarks report 0 cpu-ns.
func cpuTime() time.Duration { return 0 }
