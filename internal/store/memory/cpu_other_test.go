//go:build !unix

package memory_test

import "time"

// cpuTime is unknown on this platform.
func cpuTime() time.Duration { return 0 }
