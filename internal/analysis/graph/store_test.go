package graph

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
)

// t0 is the start of the generated traffic.
var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// richFormat has the interface metadata, flow direction and AWS services.
const richFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} " +
	"${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} " +
	"${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}"

// fixture is a store holding generated records, the same records in
// memory, and the generator's inventory.
type fixture struct {
	store *embedded.Store
	recs  []flowlog.Record
	inv   *generate.Inventory
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
	tempDirs    []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureVal != nil {
		fixtureVal.store.Close()
	}
	if benchFix != nil {
		benchFix.store.Close()
	}
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// generateRecords returns n records of seed over span, in format (""
// for the default version 2 format), and the inventory.
func generateRecords(seed, n int64, format string, span time.Duration) ([]flowlog.Record, *generate.Inventory, error) {
	cfg := generate.DefaultConfiguration()
	cfg.Seed, cfg.Records, cfg.Start, cfg.Duration = seed, n, t0, span
	if format != "" {
		f, err := parse.ParseFormat(format)
		if err != nil {
			return nil, nil, err
		}
		cfg.Format = f
	}
	g, err := generate.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	out := make([]flowlog.Record, 0, n)
	var r flowlog.Record
	for g.Next(&r) {
		out = append(out, r) // the strings are shared and immutable
		r = flowlog.Record{}
	}
	return out, g.Inventory(), nil
}

// openStore creates a store in a new temporary directory; the planner uses
// rollups as soon as a query reads more than maxScan rows.
func openStore(maxScan int64) (*embedded.Store, error) {
	dir, err := os.MkdirTemp("", "flowlens-graph-")
	if err != nil {
		return nil, err
	}
	tempDirs = append(tempDirs, dir)
	cfg := embedded.DefaultConfiguration()
	cfg.Dir, cfg.Fsync, cfg.Threads, cfg.CommitRows = dir, false, 2, 30_000
	cfg.Plan = store.PlanConfig{MaxScanRows: maxScan}
	return embedded.Open(cfg)
}

// ingest appends recs to s as objects of per records.
func ingest(s store.Store, name string, recs []flowlog.Record, per int) error {
	ctx := context.Background()
	w, err := s.Writer(ctx)
	if err != nil {
		return err
	}
	for o := 0; o*per < len(recs); o++ {
		lo, hi := o*per, min((o+1)*per, len(recs))
		a, _, err := w.Begin(ctx, store.SourceID{Name: fmt.Sprintf("%s-%d", name, o), Size: int64(hi - lo), ModTime: t0})
		if err != nil {
			return err
		}
		for b := lo; b < hi; b += 4096 {
			if err := a.Append(recs[b:min(b+4096, hi)]); err != nil {
				return err
			}
		}
		if err := a.Commit(); err != nil {
			return err
		}
	}
	return w.Close()
}

// getFixture: 50,000 records over three hours in the rich format and
// 15,000 in the default format (no interface metadata, no direction).
func getFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		f := &fixture{}
		if f.store, fixtureErr = openStore(3000); fixtureErr != nil {
			return
		}
		fixtureVal = f
		var rich, v2 []flowlog.Record
		if rich, f.inv, fixtureErr = generateRecords(11, 50_000, richFormat, 3*time.Hour); fixtureErr != nil {
			return
		}
		if v2, _, fixtureErr = generateRecords(12, 15_000, "", 3*time.Hour); fixtureErr != nil {
			return
		}
		if fixtureErr = ingest(f.store, "rich", rich, 12_000); fixtureErr != nil {
			return
		}
		if fixtureErr = ingest(f.store, "v2", v2, 8_000); fixtureErr != nil {
			return
		}
		f.recs = append(rich, v2...)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

func jsonOf(t testing.TB, g *Graph) []byte {
	t.Helper()
	g.Plan = ""
	var buf bytes.Buffer
	if err := Write(&buf, g, FormatJSON); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestStoreEqualsRecords: Build (the store aggregates, from raw records or
// rollups) gives exactly the graph FromRecords computes.
func TestStoreEqualsRecords(t *testing.T) {
	f := getFixture(t)
	aliases, err := enrich.FromInventory(f.inv)
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := enrich.SubnetsFromInventory(f.inv)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := enrich.NewPseudonymizer([]byte("graph store test key, 32 bytes.."), nil)
	if err != nil {
		t.Fatal(err)
	}
	partial := store.TimeRange{Start: t0.Add(17*time.Minute + 23*time.Second), End: t0.Add(2*time.Hour + 41*time.Minute)}
	cases := []struct {
		name string
		mod  func(c *Configuration)
	}{
		{"ip", func(c *Configuration) {}},
		{"ip/no-ports (rollups)", func(c *Configuration) { c.TopPorts = -1 }},
		{"ip/no-ports/partial-range", func(c *Configuration) { c.TopPorts, c.Range = -1, partial }},
		{"service", func(c *Configuration) { c.Group.Kind = GroupService }},
		{"service/aliases/pseudonymized", func(c *Configuration) {
			c.Group.Kind, c.Aliases, c.Pseudonymizer = GroupService, aliases, ps
		}},
		{"eni", func(c *Configuration) { c.Group.Kind = GroupENI }},
		{"eni/no-ports", func(c *Configuration) { c.Group.Kind, c.TopPorts, c.Aliases = GroupENI, -1, aliases }},
		{"subnet", func(c *Configuration) { c.Group.Kind, c.Subnets = GroupSubnet, subnets }},
		{"vpc", func(c *Configuration) { c.Group.Kind, c.TopPorts = GroupVPC, -1 }},
		{"az/aws-services", func(c *Configuration) { c.Group.Kind, c.AWSServices = GroupAZ, true }},
		{"cidr/external-prefix", func(c *Configuration) {
			c.Group, c.External = Group{Kind: GroupCIDR, Bits4: 20, Bits6: 56}, ExternalPrefix
		}},
		{"ip/reject/topk", func(c *Configuration) { c.Action, c.TopK, c.Weight = flowlog.ActionReject, 40, analysis.MetricPackets }},
		{"ip/ports/min-flows", func(c *Configuration) { c.Ports, c.MinFlows = []uint16{443, 53, 5432}, 3 }},
		{"ip/tcp/max-nodes/partial", func(c *Configuration) {
			c.Protocols, c.MaxNodes, c.Range, c.Weight = []uint8{6}, 60, partial, analysis.MetricFlows
		}},
		{"ip/conds", func(c *Configuration) {
			c.Filter.Conds = []store.Cond{
				{Field: flowlog.FieldDstAddr, Op: store.OpInPrefix, Values: []any{"10.0.0.0/8"}},
				{Field: flowlog.FieldBytes, Op: store.OpGe, Values: []any{500}},
				{Field: flowlog.FieldFlowDirection, Op: store.OpAbsent},
			}
		}},
		{"eni/conds", func(c *Configuration) {
			c.Group.Kind = GroupENI
			c.Filter.Conds = []store.Cond{
				{Field: flowlog.FieldSrcAddr, Op: store.OpNotInPrefix, Values: []any{netip.MustParsePrefix("10.0.0.0/20")}},
				{Field: flowlog.FieldDstPort, Op: store.OpNotIn, Values: []any{22, 3389}},
				{Field: flowlog.FieldProtocol, Op: store.OpNe, Values: []any{17}},
				store.In(flowlog.FieldFlowDirection, "ingress", flowlog.DirectionEgress),
				{Field: flowlog.FieldPackets, Op: store.OpLt, Values: []any{uint64(1000)}},
				{Field: flowlog.FieldAZID, Op: store.OpPresent},
			}
		}},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfiguration()
			tc.mod(&cfg)
			fromStore, err := Build(ctx, f.store, cfg)
			if err != nil {
				t.Fatal(err)
			}
			fromRecs, err := FromRecords(f.recs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(fromStore.Edges) < 3 {
				t.Fatalf("only %d edges: the case tests nothing", len(fromStore.Edges))
			}
			plan := fromStore.Plan
			a, b := jsonOf(t, fromStore), jsonOf(t, fromRecs)
			if !bytes.Equal(a, b) {
				t.Fatalf("the store's graph (plan %s) differs from the records' graph:\n%s", plan, firstDiff(string(a), string(b)))
			}
			t.Logf("%d nodes, %d edges, %d flows; plan %s", len(fromStore.Nodes), len(fromStore.Edges), fromStore.Totals.Flows, plan)
		})
	}
}

func TestBuildRefusesMatch(t *testing.T) {
	f := getFixture(t)
	cfg := DefaultConfiguration()
	cfg.Match = func(*flowlog.Record) bool { return true }
	if _, err := Build(context.Background(), f.store, cfg); err == nil {
		t.Error("Build with Match: no error")
	}
	cfg = DefaultConfiguration()
	cfg.Filter.SQL = "\"dstport\" = 443"
	cfg.Filter.SQLFields = []flowlog.FieldID{flowlog.FieldDstPort}
	g, err := Build(context.Background(), f.store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range g.Edges {
		for _, p := range e.Ports {
			if p.Port != 443 {
				t.Fatalf("SQL filter dstport = 443: edge %s -> %s has port %d", e.Src, e.Dst, p.Port)
			}
		}
	}
	if len(g.Edges) == 0 {
		t.Error("SQL filter: no edges")
	}
}
