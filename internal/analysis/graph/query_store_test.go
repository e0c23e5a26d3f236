package graph

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
)

// TestStoreEqualsRecordsPorts: the store's graph equals the records' graph
// for the settings that change what Build asks the store: a Ports filter
// (with and without interface learning), a lower ephemeral range, AWS
// services with ports, and protocols without ports.
func TestStoreEqualsRecordsPorts(t *testing.T) {
	f := getFixture(t)
	ctx := context.Background()
	f1 := func(name string, mod func(c *Configuration)) {
		t.Helper()
		cfg := DefaultConfiguration()
		mod(&cfg)
		fromStore, err := Build(ctx, f.store, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fromRecs, err := FromRecords(f.recs, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(fromStore.Edges) < 3 {
			t.Fatalf("%s: only %d edges: the case tests nothing", name, len(fromStore.Edges))
		}
		plan := fromStore.Plan
		a, b := jsonOf(t, fromStore), jsonOf(t, fromRecs)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: the store's graph (plan %s) differs from the records' graph:\n%s", name, plan, firstDiff(string(a), string(b)))
		}
		t.Logf("%s: %d nodes, %d edges, %d flows; plan %s", name, len(fromStore.Nodes), len(fromStore.Edges), fromStore.Totals.Flows, plan)
	}
	f1("service/ports", func(c *Configuration) { c.Group.Kind, c.Ports = GroupService, []uint16{443, 22, 123} })
	// The interfaces are learned from every selected record, whatever the
	// Ports filter keeps.
	f1("eni/ports", func(c *Configuration) { c.Group.Kind, c.Ports = GroupENI, []uint16{5432, 53} })
	f1("subnet/ports/aws-services", func(c *Configuration) {
		c.Group.Kind, c.Ports, c.AWSServices = GroupSubnet, []uint16{443, 80}, true
	})
	f1("ip/ephemeral-1024", func(c *Configuration) { c.EphemeralFrom, c.TopPorts = 1024, 3 })
	f1("service/ephemeral-1024/reject", func(c *Configuration) {
		c.Group.Kind, c.EphemeralFrom, c.Action = GroupService, 1024, flowlog.ActionReject
	})
	f1("az/protocols/no-ports", func(c *Configuration) {
		c.Group.Kind, c.TopPorts, c.Protocols, c.Weight = GroupAZ, -1, []uint8{6, 17}, analysis.MetricFlows
	})
	f1("ip/ports/range", func(c *Configuration) {
		c.Ports = []uint16{443}
		c.Range = store.TimeRange{Start: t0.Add(time.Hour + 7*time.Second), End: t0.Add(2 * time.Hour)}
	})
}

// TestMemoryStoreEqualsRecords: the in-memory backend (the one-shot mode,
// `flowlens graph FILES`) answers the graph's queries (below dimensions,
// unordered rows) as the embedded store does.
func TestMemoryStoreEqualsRecords(t *testing.T) {
	f := getFixture(t)
	s := memory.New(memory.DefaultConfiguration())
	defer s.Close()
	if err := ingest(s, "mem", f.recs, 20_000); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(name string, mod func(c *Configuration)) {
		t.Helper()
		cfg := DefaultConfiguration()
		mod(&cfg)
		fromStore, err := Build(ctx, s, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fromRecs, err := FromRecords(f.recs, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(fromStore.Edges) < 3 {
			t.Fatalf("%s: only %d edges: the case tests nothing", name, len(fromStore.Edges))
		}
		if a, b := jsonOf(t, fromStore), jsonOf(t, fromRecs); !bytes.Equal(a, b) {
			t.Fatalf("%s: the memory store's graph differs from the records' graph:\n%s", name, firstDiff(string(a), string(b)))
		}
	}
	check("ip", func(c *Configuration) {})
	check("service/top-k", func(c *Configuration) { c.Group.Kind, c.TopK = GroupService, 50 })
	check("subnet/aws-services", func(c *Configuration) { c.Group.Kind, c.AWSServices = GroupSubnet, true })
	check("eni/ports", func(c *Configuration) { c.Group.Kind, c.Ports = GroupENI, []uint16{443, 22} })
	check("ip/ports", func(c *Configuration) { c.Ports = []uint16{53, 5432} })
}
