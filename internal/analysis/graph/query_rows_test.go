package graph

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// decodeAll decodes a result as Build decodes the rows it scans.
func decodeAll(prev []row, res *store.Result, eph uint16) ([]row, error) {
	c, err := colsOf(res)
	if err != nil {
		return nil, err
	}
	d := newRowDecoder(c, eph)
	for _, rw := range res.Rows {
		x, err := d.decode(rw)
		if err != nil {
			return nil, err
		}
		prev = append(prev, x)
	}
	return prev, nil
}

// TestRowQueryCols checks that the columns Build expects of a row query
// are those the store returns, for every kind of graph.
func TestRowQueryCols(t *testing.T) {
	fx := getFixture(t)
	for _, mod := range []func(c *Configuration){
		func(c *Configuration) {},
		func(c *Configuration) { c.TopPorts = -1 },
		func(c *Configuration) { c.Group = Group{Kind: GroupSubnet} },
		func(c *Configuration) { c.Group = Group{Kind: GroupService}; c.AWSServices = true },
	} {
		cfg := DefaultConfiguration()
		mod(&cfg)
		cfg, err := cfg.normalized()
		if err != nil {
			t.Fatal(err)
		}
		q := rowQuery(&cfg, cfg.needs(), nil)
		want, err := rowQueryCols(&q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := fx.store.Scan(context.Background(), q, func([]any) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if got, err := colsOf(res); err != nil || got != want {
			t.Errorf("group %v: store columns %+v (%v), want %+v", cfg.Group, got, err, want)
		}
	}
}

func TestRowDecoder(t *testing.T) {
	cols := func(names ...string) []store.Column {
		out := make([]store.Column, len(names))
		for i, n := range names {
			out[i] = store.Column{Name: n}
		}
		return out
	}
	full := cols("srcaddr", "dstaddr", "action", "protocol", "srcport", "dstport", "interface_id", "flow_direction", "flows", "packets", "bytes")
	f := func(columns []store.Column, in [][]any, want []row) {
		t.Helper()
		prev := []row{{key: rowKey{iface: "kept"}}}
		got, err := decodeAll(prev, &store.Result{Columns: columns, Rows: in}, 1024)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want)+1 || got[0].key.iface != "kept" {
			t.Fatalf("got %d rows (first %+v), want the previous one and %d", len(got), got[0], len(want))
		}
		for i, w := range want {
			if got[i+1] != w {
				t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i+1], w)
			}
		}
	}
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("2600:1f18::5")
	f(full, [][]any{
		{"10.0.0.1", "2600:1f18::5", "ACCEPT", uint64(6), nil, uint64(443), "eni-1", "egress", uint64(3), uint64(30), uint64(3000)},
		// A port at or above the ephemeral start is no service port, even
		// if a store returns it; numbers may come signed.
		{"2600:1f18::5", "10.0.0.1", "REJECT", int64(17), uint64(1024), int64(53), nil, nil, int64(1), int64(1), int64(80)},
		{nil, nil, nil, nil, nil, nil, "eni-2", "ingress", uint64(2), uint64(0), uint64(0)},
	}, []row{
		{rowKey{src: a, dst: b, sport: -1, dport: 443, proto: 6, action: flowlog.ActionAccept, dir: flowlog.DirectionEgress, iface: "eni-1"}, Counts{3, 30, 3000}},
		{rowKey{src: b, dst: a, sport: -1, dport: 53, proto: 17, action: flowlog.ActionReject}, Counts{1, 1, 80}},
		{rowKey{sport: -1, dport: -1, proto: -1, dir: flowlog.DirectionIngress, iface: "eni-2"}, Counts{2, 0, 0}},
	})
	// Without ports, interfaces or services: those stay unset.
	f(cols("srcaddr", "dstaddr", "action", "flows", "packets", "bytes"), [][]any{
		{"10.0.0.1", "10.0.0.1", "ACCEPT", uint64(1), uint64(2), uint64(3)},
	}, []row{{rowKey{src: a, dst: a, sport: -1, dport: -1, proto: -1, action: flowlog.ActionAccept}, Counts{1, 2, 3}}})

	bad := func(columns []store.Column, in [][]any, want string) {
		t.Helper()
		_, err := decodeAll(nil, &store.Result{Columns: columns, Rows: in}, 32768)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one containing %q", err, want)
		}
	}
	bad(cols("srcaddr", "dstaddr", "flows", "packets", "bytes"), nil, "want srcaddr, dstaddr, action")
	bad(full, [][]any{{"10.0.0.300", "10.0.0.1", "ACCEPT", nil, nil, nil, nil, nil, uint64(1), uint64(1), uint64(1)}}, `address "10.0.0.300"`)
}
