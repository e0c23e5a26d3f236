package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Capabilities declares the optional parts of the store contract that a
// backend does not implement. The zero value is a backend implementing
// everything, which is what Run checks.
type Capabilities struct {
	// NoSQL: the backend runs no SQL. Instead of running the SQL parts
	// (schema, sandbox, SQL filters, the `sql` commands of data-driven
	// files), the suite checks that Reader.SQL and queries with a
	// Filter.SQL fail.
	NoSQL bool
	// RawOnly: the backend answers every query from raw records, so the
	// suite does not check that plans use rollups (the `plan=` of
	// data-driven files, rollup + edges for unaligned ranges). Results are
	// checked at every resolution all the same.
	RawOnly bool
	// NoFiles: the backend stores no files, so ledger entries list none.
	NoFiles bool
}

// RunWith runs the whole suite for a backend with the given capabilities.
// The parts a capability excludes are skipped with a message naming it.
func RunWith(t *testing.T, open Opener, caps Capabilities) {
	t.Run("Visibility", func(t *testing.T) { testVisibility(t, open) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open) })
	t.Run("Idempotent", func(t *testing.T) { testIdempotent(t, open) })
	t.Run("Duplicates", func(t *testing.T) { testDuplicates(t, open) })
	t.Run("Ledger", func(t *testing.T) { testLedger(t, open, caps) })
	t.Run("Prune", func(t *testing.T) { testPrune(t, open) })
	t.Run("Schema", func(t *testing.T) {
		if caps.NoSQL {
			t.Skip("the backend runs no SQL (Capabilities.NoSQL)")
		}
		testSchema(t, open)
	})
	t.Run("QueryOracle", func(t *testing.T) { testQueryOracle(t, open, caps) })
	t.Run("QueryErrors", func(t *testing.T) { testQueryErrors(t, open, caps) })
	t.Run("Sandbox", func(t *testing.T) {
		if caps.NoSQL {
			t.Skip("the backend runs no SQL (Capabilities.NoSQL)")
		}
		testSandbox(t, open)
	})
	t.Run("DataDriven", func(t *testing.T) { RunFilesWith(t, open, "testdata/*.test", caps) })
}

// checkNoSQL checks that a backend without SQL refuses it: Reader.SQL and
// a query with a SQL filter fail with an error, and the store still
// answers structured queries afterwards.
func checkNoSQL(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SQL(ctx, "SELECT count(*) FROM flows"); err == nil || err.Error() == "" {
		t.Errorf("SQL on a backend without SQL: error %v, want one", err)
	}
	q := store.Query{Filter: store.Filter{SQL: `"dstport" = ?`, Args: []any{443},
		SQLFields: []flowlog.FieldID{flowlog.FieldDstPort}}}
	if _, err := s.Query(ctx, q); err == nil || !strings.Contains(err.Error(), "SQL") {
		t.Errorf("SQL filter on a backend without SQL: error %v, want one mentioning SQL", err)
	}
	if _, err := s.Query(ctx, store.Query{}); err != nil {
		t.Errorf("query after a refused SQL filter: %v", err)
	}
}
