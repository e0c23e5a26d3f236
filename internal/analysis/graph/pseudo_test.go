package graph

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/enrich"
)

// tokens returns the address-like words of text (runs of hex digits,
// dots and colons, with a "/bits" suffix when there is one; for IPv4 with a
// ":port" suffix also the address alone) and the ID-like words (runs of
// lower-case letters, digits and dashes).
func tokens(text string) map[string]bool {
	out := map[string]bool{}
	isAddr := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':'
	}
	isID := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }
	for i := 0; i < len(text); {
		if !isAddr(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isAddr(text[j]) {
			j++
		}
		tok := text[i:j]
		out[tok] = true
		if k := strings.LastIndexByte(tok, ':'); k > 0 && strings.Contains(tok, ".") {
			out[tok[:k]] = true
			out[tok[k+1:]] = true
		}
		if j < len(text) && text[j] == '/' {
			k := j + 1
			for k < len(text) && text[k] >= '0' && text[k] <= '9' {
				k++
			}
			out[text[i:k]] = true
		}
		i = j
	}
	for i := 0; i < len(text); {
		if !isID(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isID(text[j]) {
			j++
		}
		out[text[i:j]] = true
		i = j
	}
	return out
}

// TestPseudonymizedExportHasNoOriginal scans json, dot and graphml exports
// of pseudonymized graphs for every original address, network and ID.
func TestPseudonymizedExportHasNoOriginal(t *testing.T) {
	f := getFixture(t)
	recs := f.recs[:20_000]
	ps, err := enrich.NewPseudonymizer([]byte("0123456789abcdef0123456789abcdef"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every original address and its /24 (/64) network and /16 (/32), and
	// the pseudonyms of all of them.
	originals := map[string]bool{}
	pseudonyms := map[string]bool{}
	var partner netip.Addr
	for i := range recs {
		r := &recs[i]
		for _, a := range []netip.Addr{r.SrcAddr, r.DstAddr} {
			if !a.IsValid() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
				continue // special-purpose addresses are kept by design
			}
			if !partner.IsValid() && !a.IsPrivate() && a.Is4() {
				partner = a
			}
			originals[a.String()] = true
			pseudonyms[ps.Addr(a).String()] = true
			for _, bits := range [][2]int{{24, 64}, {16, 32}} {
				p, _ := a.Prefix(bitsFor(a, bits[0], bits[1]))
				originals[p.String()] = true
				pseudonyms[ps.Prefix(p).String()] = true
			}
		}
		for _, id := range []string{r.InterfaceID, r.SubnetID, r.VPCID} {
			if id != "" {
				originals[id] = true
				pseudonyms[ps.ID(id)] = true
			}
		}
	}
	aliases, err := enrich.NewAliases([]enrich.Alias{{Name: "partner-api", Prefix: netip.PrefixFrom(partner, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	delete(originals, partner.String()) // it is named, not pseudonymized
	for _, group := range []string{"ip", "service", "cidr:/24", "eni", "subnet"} {
		cfg := DefaultConfiguration()
		cfg.Group, _ = ParseGroup(group)
		cfg.Pseudonymizer, cfg.Aliases, cfg.External = ps, aliases, ExternalKeep
		cfg.MaxNodes = -1
		if group == "cidr:/24" {
			cfg.External = ExternalPrefix
		}
		g, err := FromRecords(recs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !g.Pseudonymized {
			t.Error("Pseudonymized is not set")
		}
		var all bytes.Buffer
		for _, format := range []Format{FormatJSON, FormatDOT, FormatGraphML} {
			if err := Write(&all, g, format); err != nil {
				t.Fatal(err)
			}
		}
		text := all.String()
		words := tokens(text)
		if group == "ip" && !strings.Contains(text, `"alias:partner-api"`) {
			t.Errorf("%s: the alias was not kept", group)
		}
		leaks := 0
		for s := range originals {
			if !pseudonyms[s] && words[s] {
				t.Errorf("%s: the export holds the original %q", group, s)
				if leaks++; leaks > 5 {
					t.FailNow()
				}
			}
		}
		// The graph is the same graph: same shape, other names.
		cfg.Pseudonymizer = nil
		plain, err := FromRecords(recs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain.Nodes) != len(g.Nodes) || len(plain.Edges) != len(g.Edges) || plain.Totals != g.Totals {
			t.Errorf("%s: pseudonymized graph has %d nodes and %d edges, plain %d and %d", group, len(g.Nodes), len(g.Edges), len(plain.Nodes), len(plain.Edges))
		}
		if len(g.Nodes) < 5 {
			t.Errorf("%s: only %d nodes", group, len(g.Nodes))
		}
	}
	if _, ok := originals["10.0.0.0/24"]; !ok && len(originals) < 100 {
		t.Fatalf("too few originals (%d): the test checks nothing", len(originals))
	}
}

func TestTokens(t *testing.T) {
	w := tokens(`"10.0.1.5:5432" -> "[2600::1]:443" label="web (eni-0abc12)" 10.0.2.0/24, c10.0.3.3`)
	for _, s := range []string{"10.0.1.5", "2600::1", "eni-0abc12", "10.0.2.0/24", "10.0.2.0"} {
		if !w[s] {
			t.Errorf("token %q not found", s)
		}
	}
	if w["10.0.3.3"] || w["0.1.5"] {
		t.Error("partial tokens found")
	}
}
