package embedded

import (
	"testing"

	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

// testConfig returns a configuration for tests: small thresholds so that
// part files, several publications, compaction and rollup routing all
// happen with little data.
func testConfig(dir string) Configuration {
	cfg := DefaultConfiguration()
	cfg.Dir = dir
	cfg.CommitRows = 4000
	cfg.PartRows = 3000
	cfg.RowGroupRows = 1000
	cfg.Threads = 2
	cfg.Fsync = false
	cfg.CompactFiles = 3
	cfg.CompactRows = 100_000
	cfg.Plan = store.PlanConfig{MaxScanRows: 2000}
	return cfg
}

func openTest(t *testing.T) store.Store {
	s, err := Open(testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTest)
}
