package analysis

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// oracleRow is one group computed by the oracle.
type oracleRow struct {
	keys []any // strings and uint64s
	Counts
}

// fieldKey returns the stored value of a key field: text for addresses,
// IDs and enums, uint64 for numbers; false when absent.
func fieldKey(r *flowlog.Record, f flowlog.FieldID) (any, bool) {
	if !r.Has(f) {
		return nil, false
	}
	switch f {
	case flowlog.FieldSrcAddr:
		return r.SrcAddr.String(), true
	case flowlog.FieldDstAddr:
		return r.DstAddr.String(), true
	case flowlog.FieldPktSrcAddr:
		return r.PktSrcAddr.String(), true
	case flowlog.FieldPktDstAddr:
		return r.PktDstAddr.String(), true
	case flowlog.FieldSrcPort:
		return uint64(r.SrcPort), true
	case flowlog.FieldDstPort:
		return uint64(r.DstPort), true
	case flowlog.FieldProtocol:
		return uint64(r.Protocol), true
	case flowlog.FieldAction:
		return r.Action.String(), true
	case flowlog.FieldInterfaceID:
		return r.InterfaceID, true
	case flowlog.FieldInstanceID:
		return r.InstanceID, true
	case flowlog.FieldSubnetID:
		return r.SubnetID, true
	}
	panic("fieldKey: unexpected field " + f.Name())
}

// oracleFields lists, independently of the implementation, the key fields
// of each dimension.
func oracleFields(by Dimension) []flowlog.FieldID {
	switch by {
	case BySource:
		return []flowlog.FieldID{flowlog.FieldSrcAddr}
	case ByDestination:
		return []flowlog.FieldID{flowlog.FieldDstAddr}
	case ByPair:
		return []flowlog.FieldID{flowlog.FieldSrcAddr, flowlog.FieldDstAddr}
	case ByDstPort:
		return []flowlog.FieldID{flowlog.FieldDstPort, flowlog.FieldProtocol}
	case BySrcPort:
		return []flowlog.FieldID{flowlog.FieldSrcPort, flowlog.FieldProtocol}
	case ByProtocol:
		return []flowlog.FieldID{flowlog.FieldProtocol}
	case ByInterface:
		return []flowlog.FieldID{flowlog.FieldInterfaceID}
	case ByInstance:
		return []flowlog.FieldID{flowlog.FieldInstanceID}
	case ByPktSource:
		return []flowlog.FieldID{flowlog.FieldPktSrcAddr}
	case ByPktDestination:
		return []flowlog.FieldID{flowlog.FieldPktDstAddr}
	case ByPktPair:
		return []flowlog.FieldID{flowlog.FieldPktSrcAddr, flowlog.FieldPktDstAddr}
	case ByConversation:
		return []flowlog.FieldID{flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldDstPort, flowlog.FieldProtocol, flowlog.FieldAction}
	}
	panic("oracleFields: unexpected dimension")
}

// oracleKey returns the key of r for by (BySubnet: basis first).
func oracleKey(by Dimension, r *flowlog.Record) ([]any, bool) {
	if by == BySubnet {
		if r.Has(flowlog.FieldSubnetID) {
			return []any{"subnet-id", r.SubnetID}, true
		}
		if !r.Has(flowlog.FieldSrcAddr) {
			return nil, false
		}
		a := r.SrcAddr.Unmap()
		bits, basis := 24, "srcaddr/24"
		if a.Is6() {
			bits, basis = 64, "srcaddr/64"
		}
		p, _ := a.Prefix(bits)
		return []any{basis, p.String()}, true
	}
	var keys []any
	for _, f := range oracleFields(by) {
		v, ok := fieldKey(r, f)
		if !ok {
			return nil, false
		}
		keys = append(keys, v)
	}
	return keys, true
}

func compareOracleKeys(by Dimension, a, b []any) int {
	if by == BySubnet {
		ab, bb := a[0].(string) != "subnet-id", b[0].(string) != "subnet-id"
		if ab != bb {
			if ab {
				return 1
			}
			return -1
		}
		if !ab {
			return strings.Compare(a[1].(string), b[1].(string))
		}
		return netip.MustParsePrefix(a[1].(string)).Addr().Compare(netip.MustParsePrefix(b[1].(string)).Addr())
	}
	for i := range a {
		var c int
		switch x := a[i].(type) {
		case string:
			c = strings.Compare(x, b[i].(string))
		case uint64:
			c = cmp.Compare(x, b[i].(uint64))
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// oracleTop ranks the groups of by over recs.
func oracleTop(recs []*flowlog.Record, by Dimension, m Metric, limit int) []oracleRow {
	groups := map[string]*oracleRow{}
	for _, r := range recs {
		k, ok := oracleKey(by, r)
		if !ok {
			continue
		}
		s := fmt.Sprint(k...)
		g := groups[s]
		if g == nil {
			g = &oracleRow{keys: k}
			groups[s] = g
		}
		g.Add(countsOf(r))
	}
	rows := make([]oracleRow, 0, len(groups))
	for _, g := range groups {
		rows = append(rows, *g)
	}
	slices.SortFunc(rows, func(a, b oracleRow) int {
		if c := cmp.Compare(b.Get(m), a.Get(m)); c != 0 {
			return c
		}
		return compareOracleKeys(by, a.keys, b.keys)
	})
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return rows
}

// rowKey returns the key of a TopRow in the oracle's representation.
func rowKey(by Dimension, row TopRow) []any {
	if by == BySubnet {
		return []any{row.Basis, row.ID}
	}
	var keys []any
	for _, f := range oracleFields(by) {
		switch f {
		case flowlog.FieldSrcAddr, flowlog.FieldPktSrcAddr:
			keys = append(keys, row.Src)
		case flowlog.FieldDstAddr, flowlog.FieldPktDstAddr:
			keys = append(keys, row.Dst)
		case flowlog.FieldSrcPort, flowlog.FieldDstPort:
			keys = append(keys, uint64(row.Port))
		case flowlog.FieldProtocol:
			keys = append(keys, uint64(row.Protocol))
		case flowlog.FieldAction:
			keys = append(keys, row.Action)
		default:
			keys = append(keys, row.ID)
		}
	}
	return keys
}

// checkTop compares a ranking with the oracle's.
func checkTop(t *testing.T, got *TopResult, recs []*flowlog.Record, by Dimension, m Metric, limit int) {
	t.Helper()
	want := oracleTop(recs, by, m, limit)
	total := sumCounts(recs)
	if got.Total != total {
		t.Errorf("%s by %s: total %+v, want %+v", by, m, got.Total, total)
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("%s by %s: %d rows, want %d", by, m, len(got.Rows), len(want))
	}
	for i, w := range want {
		g := got.Rows[i]
		gk := rowKey(by, g)
		if fmt.Sprint(gk) != fmt.Sprint(w.keys) || g.Counts != w.Counts || g.Rank != i+1 {
			t.Fatalf("%s by %s: row %d is #%d %v %+v, want %v %+v", by, m, i+1, g.Rank, gk, g.Counts, w.keys, w.Counts)
		}
		if share := 100 * float64(w.Get(m)) / float64(total.Get(m)); g.Share != share {
			t.Errorf("%s by %s: row %d share %v, want %v", by, m, i+1, g.Share, share)
		}
	}
}

func TestTopAgainstOracle(t *testing.T) {
	f := getFixture(t)
	ctx := context.Background()
	for _, s := range testScopes() {
		t.Run(s.name, func(t *testing.T) {
			recs := f.selectRecs(s)
			if len(recs) == 0 {
				t.Fatalf("scope %s selects no records: the test data is wrong", s.name)
			}
			for i, by := range Dimensions() {
				m := Metrics()[i%3]
				limit := []int{0, 7, 25}[i%3]
				o := s.options()
				o.Limit = limit
				got, err := Top(ctx, f.store, TopOptions{Options: o, By: by, Metric: m})
				if err != nil {
					t.Fatalf("%s: %v", by, err)
				}
				if limit == 0 {
					limit = DefaultLimit
				}
				checkTop(t, got, recs, by, m, limit)
			}
		})
	}
}

// TestTopTies ranks by a metric with many ties (flows of destination ports
// by protocol for rare ports) to check the deterministic tie-breaking on
// the whole ranking.
func TestTopTies(t *testing.T) {
	f := getFixture(t)
	ctx := context.Background()
	s := testRanges()[4] // short raw range: small counts, many ties
	recs := f.selectRecs(s)
	for _, by := range []Dimension{BySrcPort, ByPair, BySubnet, ByConversation} {
		o := s.options()
		o.Limit = 100_000
		got, err := Top(ctx, f.store, TopOptions{Options: o, By: by, Metric: MetricFlows})
		if err != nil {
			t.Fatal(err)
		}
		want := oracleTop(recs, by, MetricFlows, 100_000)
		ties := 0
		for i := 1; i < len(want); i++ {
			if want[i].Flows == want[i-1].Flows {
				ties++
			}
		}
		if ties < 10 {
			t.Fatalf("%s: only %d ties: the test does not test tie-breaking", by, ties)
		}
		checkTop(t, got, recs, by, MetricFlows, 100_000)
	}
}

func TestTopSubnetFallback(t *testing.T) {
	f := getFixture(t)
	got, err := Top(context.Background(), f.store, TopOptions{Options: Options{Limit: 1000}, By: BySubnet, Metric: MetricFlows})
	if err != nil {
		t.Fatal(err)
	}
	bases := map[string]int{}
	for _, r := range got.Rows {
		bases[r.Basis]++
	}
	// The fixture mixes v5 records (subnet-id) and v2 records (none).
	if bases["subnet-id"] == 0 || bases["srcaddr/24"] == 0 {
		t.Fatalf("want both subnet IDs and /24 source networks, got %v", bases)
	}
	checkTop(t, got, f.selectRecs(scope{}), BySubnet, MetricFlows, 1000)
}
