package memory

import (
	"testing"

	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

// testConfig uses small chunks and publications so that coalescing, chunk
// skipping and several publications happen with little data.
func testConfig() Configuration {
	cfg := DefaultConfiguration()
	cfg.ChunkRows = 1000
	cfg.CommitRows = 2500
	return cfg
}

func openTest(*testing.T) store.Store { return New(testConfig()) }

// caps is what the in-memory store does not do: SQL, rollups and files.
var caps = storetest.Capabilities{NoSQL: true, RawOnly: true, NoFiles: true}

func TestConformance(t *testing.T) {
	storetest.RunWith(t, openTest, caps)
}

func TestConformanceDefaultConfiguration(t *testing.T) {
	storetest.RunWith(t, func(*testing.T) store.Store { return New(DefaultConfiguration()) }, caps)
}
