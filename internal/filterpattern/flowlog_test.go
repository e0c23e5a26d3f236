package filterpattern

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

func mustBind(t testing.TB, pattern string, layout []flowlog.FieldID) *Bound {
	t.Helper()
	p, err := Parse(pattern)
	if err != nil {
		t.Fatalf("Parse(%q): %v", pattern, err)
	}
	b, err := p.Bind(layout)
	if err != nil {
		t.Fatalf("Bind(%q): %v", pattern, err)
	}
	return b
}

// TestFlowLogExamples checks Bound.Match against predicates written
// directly on the record fields, on generated default-format records.
func TestFlowLogExamples(t *testing.T) {
	format := parse.DefaultFormat()
	recs := genRecords(format, 1, 3000)
	has := func(r *flowlog.Record, ids ...flowlog.FieldID) bool {
		for _, id := range ids {
			if !r.Has(id) {
				return false
			}
		}
		return true
	}
	inPrefix := func(r *flowlog.Record, id flowlog.FieldID, prefix string) bool {
		return r.Has(id) && netip.MustParsePrefix(prefix).Contains(*r.AddrPtr(id))
	}
	reject := func(r *flowlog.Record) bool { return has(r, flowlog.FieldAction) && r.Action == flowlog.ActionReject }
	f := func(pattern string, want func(r *flowlog.Record) bool) {
		t.Helper()
		b := mustBind(t, pattern, format.Fields)
		n := 0
		for i := range recs {
			r := &recs[i]
			got := b.Match(r)
			if got != want(r) {
				t.Fatalf("%s: Match = %v, want %v on %s", pattern, got, !got, format.AppendLine(nil, r))
			}
			if got {
				n++
			}
		}
		if n == 0 || n == len(recs) {
			t.Fatalf("%s matches %d of %d records: the example does not discriminate", pattern, n, len(recs))
		}
	}

	// SSH attempts that were rejected, with labels that are not AWS names.
	f(`[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`,
		func(r *flowlog.Record) bool {
			return reject(r) && has(r, flowlog.FieldDstPort, flowlog.FieldProtocol) && r.DstPort == 22 && r.Protocol == 6
		})
	f(`[..., action="REJECT", status]`, reject)
	f(`[..., action=REJECT || action=ACCEPT, status=OK]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldAction) && r.Status == flowlog.StatusOK
	})
	f(`[v, a, e, src=10.0.2.*, ...]`, func(r *flowlog.Record) bool { return inPrefix(r, flowlog.FieldSrcAddr, "10.0.2.0/24") })
	f(`[v, a, e, src!=10.0.2.*, ...]`, func(r *flowlog.Record) bool { return !inPrefix(r, flowlog.FieldSrcAddr, "10.0.2.0/24") })
	f(`[v, a, e, s, d, sp, destport=4*, ...]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldDstPort) && strings.HasPrefix(r.Text(flowlog.FieldDstPort), "4")
	})
	f(`[..., bytes>=1000000, start, end, action, status]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldBytes) && r.Bytes >= 1000000
	})
	f(`[..., packets, bytes>=1000000 && bytes<1000002, start, end, action, status]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldBytes) && r.Bytes >= 1000000 && r.Bytes < 1000002
	})
	f(`[..., bytes>18446744073709551614, start, end, action, status]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldBytes) && r.Bytes == 1<<64-1
	})
	f(`[v, a, e, s, d, sp<1024 && sp>0, dp, ...]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldSrcPort) && r.SrcPort < 1024 && r.SrcPort > 0
	})
	f(`[v, a, e, s, d, sp, dp!=22 && dp!=443, ...]`, func(r *flowlog.Record) bool {
		return !has(r, flowlog.FieldDstPort) || r.DstPort != 22 && r.DstPort != 443
	})
	f(`[v, a, e, s="-", ...]`, func(r *flowlog.Record) bool { return !has(r, flowlog.FieldSrcAddr) })
	f(`[v, a, e, s!="-", ...]`, func(r *flowlog.Record) bool { return has(r, flowlog.FieldSrcAddr) })
	f(`[v, account=123456789012, ...]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldAccountID) && r.AccountID == "123456789012"
	})
	f(`[v, account<1000, ...]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldAccountID) && r.AccountID == "000000000042"
	})
	f(`[v, account!=123456789012, ...]`, func(r *flowlog.Record) bool {
		return !has(r, flowlog.FieldAccountID) || r.AccountID != "123456789012"
	})
	f(`[..., action=REJECT, ...]`, reject)
	f(`[..., dp=22, protocol=6, ...]`, func(r *flowlog.Record) bool {
		// Floating: any two adjacent columns reading 22 then 6.
		texts := strings.Fields(string(format.AppendLine(nil, r)))
		for i := 0; i+1 < len(texts); i++ {
			if texts[i] == "22" && texts[i+1] == "6" {
				return true
			}
		}
		return false
	})
	f(`[..., start, end, action=REJECT, status=OK]`, func(r *flowlog.Record) bool { return reject(r) && r.Status == flowlog.StatusOK })
	f(`[version=2, ..., status=NODATA]`, func(r *flowlog.Record) bool { return r.Status == flowlog.StatusNoData })
	f(`[v, a, e, s, d, sp, dp, protocol=06, ...]`, func(r *flowlog.Record) bool { return has(r, flowlog.FieldProtocol) && r.Protocol == 6 })
	f(`[v, a, e, s, d, sp, dp, protocol="6.0" || protocol=1.7e1, ...]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldProtocol) && (r.Protocol == 6 || r.Protocol == 17)
	})
	f(`[v, a, eni=%^eni-0%, ...]`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldInterfaceID) && strings.HasPrefix(r.InterfaceID, "eni-0")
	})
	f(`REJECT`, reject)
	f(`"REJECT OK"`, func(r *flowlog.Record) bool { return reject(r) && r.Status == flowlog.StatusOK })
	f(`?NODATA ?SKIPDATA`, func(r *flowlog.Record) bool {
		return r.Status == flowlog.StatusNoData || r.Status == flowlog.StatusSkipData
	})
	f(`ACCEPT -" 443 "`, func(r *flowlog.Record) bool {
		return has(r, flowlog.FieldAction) && r.Action == flowlog.ActionAccept &&
			!(has(r, flowlog.FieldSrcPort) && r.SrcPort == 443) && !(has(r, flowlog.FieldDstPort) && r.DstPort == 443)
	})
}

func TestBindErrors(t *testing.T) {
	def := flowlog.DefaultFields()
	f := func(pattern string, layout []flowlog.FieldID, want string) {
		t.Helper()
		p, err := Parse(pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", pattern, err)
		}
		_, err = p.Bind(layout)
		if err == nil || err.Error() != want {
			t.Fatalf("Bind(%q) error:\n got  %v\n want %s", pattern, err, want)
		}
	}
	f("[a, b, c]", def, "filter pattern: the pattern has 3 fields but the records have 14 (version account-id ... action log-status); name all 14 fields or use '...' for the ones you skip, e.g. [..., action=REJECT, status]")
	f("[a, b, c, ...]", def[:2], "filter pattern: the pattern has 3 fields but the records have only 2 (version account-id)")
	f("[a, ..., b]", nil, "filter pattern: empty record layout")
	f("x", []flowlog.FieldID{flowlog.FieldVersion, 200}, "filter pattern: record layout: column 2 has invalid field id 200")
}

func TestBindWarnings(t *testing.T) {
	def := flowlog.DefaultFields()
	f := func(pattern string, want ...string) {
		t.Helper()
		b := mustBind(t, pattern, def)
		if got := b.Warnings(); !reflect.DeepEqual(got, want) {
			t.Fatalf("Warnings(%q):\n got  %q\n want %q", pattern, got, want)
		}
	}
	f("[..., action=REJECT, status]")
	f(`[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`)
	f("[version, account, eni, srcaddr, dstaddr, dstport=22, ...]",
		`label "dstport" is at column 6, which is srcport in this format (labels are positional)`)
	f("[..., action=reject, status]",
		`condition action=reject never holds: action is one of ACCEPT, REJECT (case matters)`)
	f("[..., dstport=ssh, protocol, packets, bytes, start, end, action, status]",
		`condition dstport=ssh never holds: dstport is a number`)
	f("[..., action!=Reject, status=-]",
		`condition action!=Reject always holds: action is one of ACCEPT, REJECT (case matters)`)
	f("[..., action=1, status]", `condition action=1 never holds: action is not a number`)
	f("[v, a, e, s=10.0.2.01, ...]", `condition s=10.0.2.01 never holds: addresses are written in canonical form (10.0.2.15, 2001:db8::1)`)
	f("[v, a, e, s!=2001:DB8::1, ...]", `condition s!=2001:DB8::1 always holds: addresses are written in canonical form (10.0.2.15, 2001:db8::1)`)
	f("[v, a, e, s=2001:db8::1, ...]")
	f("x y")
}

// TestMatchExtraColumns binds to a layout with a column flowlens does not
// know: its value comes from Record.Extra.
func TestMatchExtraColumns(t *testing.T) {
	format := mustFormat(t, "version srcaddr future-field action")
	var r flowlog.Record
	r.SetUint(flowlog.FieldVersion, 2)
	r.SrcAddr = netip.MustParseAddr("10.0.0.1")
	r.Present.Add(flowlog.FieldSrcAddr)
	r.SetUint(flowlog.FieldAction, uint64(flowlog.ActionReject))
	r.Extra = []string{"blue"}
	f := func(pattern string, want bool) {
		t.Helper()
		b := mustBind(t, pattern, format.Fields)
		if got := b.Match(&r); got != want {
			t.Fatalf("%s: Match = %v, want %v", pattern, got, want)
		}
		if line := format.AppendLine(nil, &r); b.Pattern().MatchLine(line) != want {
			t.Fatalf("%s: MatchLine(%q) != %v", pattern, line, want)
		}
	}
	f("[v, s, x=blue, a]", true)
	f("[v, s, x=b*, a=REJECT]", true)
	f("[v, s, x=red, a]", false)
	f("[..., x=blue, a]", true)
	f("blue", true)
	f("2 10.0.0.1 blue REJECT", true)
	r.Extra = nil
	f("[v, s, x=-, a]", true)
	f(`"10.0.0.1 - REJECT"`, true)
}
