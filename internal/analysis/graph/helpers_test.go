package graph

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// hdr5 is the header of hand-written test lines: v5 fields with the
// interface metadata, flow direction and AWS services.
const hdr5 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status " +
	"vpc-id subnet-id az-id flow-direction pkt-src-aws-service pkt-dst-aws-service"

// parseLines parses flow log text (the first line may be a header).
func parseLines(t testing.TB, text string) []flowlog.Record {
	t.Helper()
	rd := parse.NewReader(strings.NewReader(text), "test", parse.DefaultConfig())
	var out []flowlog.Record
	batch := make([]flowlog.Record, 64)
	for {
		n, err := rd.Read(batch)
		for i := 0; i < n; i++ {
			r := batch[i]
			r.Extra = nil
			out = append(out, r)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := rd.Stats(); len(st.Errors) > 0 {
		t.Fatalf("malformed test lines: %v", st.Errors)
	}
	return out
}

// line5 writes one hdr5 line: "src:sport>dst:dport/proto bytes action
// iface subnet vpc az dir"; "-" leaves a field absent.
func line5(conv string, bytes int, action, iface, subnet, vpc, az, dir string) string {
	return line5svc(conv, bytes, action, iface, subnet, vpc, az, dir, "-", "-")
}

func line5svc(conv string, bytes int, action, iface, subnet, vpc, az, dir, ssvc, dsvc string) string {
	left, right, _ := strings.Cut(conv, ">")
	right, proto, _ := strings.Cut(right, "/")
	src, sport := splitHostPort(left)
	dst, dport := splitHostPort(right)
	return fmt.Sprintf("5 123456789012 %s %s %s %s %s %s 1 %d 1000 1060 %s OK %s %s %s %s %s %s",
		iface, src, dst, sport, dport, proto, bytes, action, vpc, subnet, az, dir, ssvc, dsvc)
}

func splitHostPort(s string) (string, string) {
	i := strings.LastIndexByte(s, ':')
	if strings.HasPrefix(s, "[") {
		j := strings.IndexByte(s, ']')
		return s[1:j], s[j+2:]
	}
	return s[:i], s[i+1:]
}

// describe renders a graph compactly: one line per node
// "id kind[ ext][ group=...][ label=...]" then one per edge
// "src -> dst flows/bytes a=flows r=flows [port/proto:flows ...]".
func describe(g *Graph) string {
	var b strings.Builder
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "%s %s", n.ID, n.Kind)
		if n.External {
			b.WriteString(" ext")
		}
		if n.Group != "" {
			b.WriteString(" group=" + n.Group)
		}
		if n.Label != n.ID {
			b.WriteString(" label=" + n.Label)
		}
		if n.Members > 0 {
			fmt.Fprintf(&b, " members=%d", n.Members)
		}
		b.WriteByte('\n')
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "%s -> %s %d/%d a=%d r=%d", e.Src, e.Dst, e.Flows, e.Bytes, e.Accepted.Flows, e.Rejected.Flows)
		for _, p := range e.Ports {
			fmt.Fprintf(&b, " %d/%d:%d", p.Port, p.Protocol, p.Flows)
		}
		if e.MorePorts > 0 {
			fmt.Fprintf(&b, " +%d", e.MorePorts)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func mustAliases(t testing.TB, spec string) *enrich.Aliases {
	t.Helper()
	a, err := enrich.ParseAliases("test.csv", []byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustSubnets(t testing.TB, subnets ...enrich.Subnet) *enrich.Subnets {
	t.Helper()
	s, err := enrich.NewSubnets(subnets)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func subnet(id, vpc, az, cidr string) enrich.Subnet {
	return enrich.Subnet{ID: id, VPCID: vpc, AZID: az, Prefixes: []netip.Prefix{netip.MustParsePrefix(cidr)}}
}
