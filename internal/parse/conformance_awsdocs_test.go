package parse_test

// AWS VPC User Guide examples (awsdocs/amazon-vpc-user-guide), fixtures in
// shared/conformance/aws-docs (SOURCE.txt). AWS publishes no machine-readable
// parse of its 27 example records, only prose; the Beats processor's golden
// files cover the same 27 records (same text, double space included), so
// they supply the expected parse, through the Beats mapping
// (conformance_beats_test.go). On top of that:
//   - the prose statements of the page are asserted (awsDocsProse);
//   - the page itself is streamed through the reader, code blocks only, so
//     its format blocks act as header lines and its annotations show up as
//     malformed lines at their line of the .md file;
//   - the field table of flow-logs.md (version and Parquet type per field)
//     is checked against the field registry.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// awsDocsRecord is one record of aws-docs-records.txt.
type awsDocsRecord struct {
	section string
	format  string
	line    string
	lineNo  int
}

func loadAWSDocsRecords(t *testing.T, dir string) []awsDocsRecord {
	t.Helper()
	var out []awsDocsRecord
	section, format := "", ""
	for i, l := range strings.Split(string(readFixture(t, dir, "aws-docs-records.txt")), "\n") {
		switch {
		case strings.HasPrefix(l, "#section: "):
			section = strings.TrimPrefix(l, "#section: ")
		case strings.HasPrefix(l, "#format: "):
			format = strings.TrimPrefix(l, "#format: ")
		case l == "" || strings.HasPrefix(l, "#"):
		default:
			if format == "" {
				t.Fatalf("aws-docs-records.txt:%d: record before any #format line", i+1)
			}
			out = append(out, awsDocsRecord{section: section, format: format, line: l, lineNo: i + 1})
		}
	}
	var derived struct {
		Records []struct {
			Section string `json:"section"`
			Format  string `json:"format"`
			Record  string `json:"record"`
		} `json:"records"`
	}
	decodeJSON(t, "aws-docs-records.derived.json", readFixture(t, dir, "aws-docs-records.derived.json"), &derived)
	if len(derived.Records) != len(out) {
		t.Fatalf("aws-docs-records.derived.json has %d records, the .txt %d", len(derived.Records), len(out))
	}
	for i, d := range derived.Records {
		if d.Section != out[i].section || d.Format != out[i].format || d.Record != out[i].line {
			t.Fatalf("record %d differs between aws-docs-records.txt and .derived.json", i+1)
		}
	}
	return out
}

func TestConformanceAWSDocs(t *testing.T) {
	dir := fixtureDir(t, "aws-docs")
	beatsDir := fixtureDir(t, "elastic-beats-processor-aws_vpcflow")
	records := loadAWSDocsRecords(t, dir)
	byLine := map[string]*beatsSample{}
	samples := loadBeats(t, beatsDir)
	for i := range samples {
		if samples[i].mode == "ecs" {
			byLine[samples[i].line] = &samples[i]
		}
	}
	tl := &tally{folder: "aws-docs"}
	maps := make([]map[string]any, len(records))
	t.Run("records-vs-beats-golden", func(t *testing.T) {
		for i, r := range records {
			label := fmt.Sprintf("aws-docs-records.txt:%d (%s)", r.lineNo, r.section)
			p := parseOne(t, label, r.line, mustFormat(t, r.format))
			maps[i] = mapOf(t, &p)
			s := byLine[r.line]
			if s == nil {
				t.Errorf("%s: no Beats golden event for %q", label, r.line)
				continue
			}
			if s.format.String() != p.format.String() {
				t.Errorf("%s: Beats parses it with %s", label, s.format)
			}
			checkBeats(t, tl, s, maps[i])
		}
	})
	tl.done(t, len(records))

	t.Run("prose", func(t *testing.T) { awsDocsProse(t, records, maps) })
	t.Run("field-table", func(t *testing.T) { awsDocsFieldTable(t, dir) })
	awsDocsPage(t, dir, records, maps)
}

// awsDocsProse asserts what the page says about its records in words.
func awsDocsProse(t *testing.T, records []awsDocsRecord, maps []map[string]any) {
	count := map[string]int{}
	for i, r := range records {
		m := maps[i]
		if m == nil {
			t.Fatalf("record %d was not parsed", i+1)
		}
		count[r.section]++
		switch r.section {
		case "TCP flag sequence":
			// "SYN flags (2)", "SYN-ACK (18)", "FIN flag (1)", "SYN and
			// FIN (3)", "SYN-ACK and FIN (19)".
			names := map[string]string{"2": "SYN", "18": "SYN|ACK", "1": "FIN", "3": "FIN|SYN", "19": "FIN|SYN|ACK"}
			tf := fmt.Sprint(m["tcp_flags"])
			v, _ := strconv.ParseUint(tf, 10, 16)
			if got := strings.Join(flowlog.TCPFlags(v).Names(), "|"); names[tf] == "" || got != names[tf] {
				t.Errorf("%s: tcp-flags %s decodes to %q, the docs say %q", r.line, tf, got, names[tf])
			}
		case "Traffic through a NAT gateway", "Traffic through a transit gateway":
			// "instance-id '-' for a requester-managed network interface".
			_, hasInstance := m["instance_id"]
			if managed := strings.HasPrefix(r.line, "- ") || strings.Contains(r.line, " - "); hasInstance == managed {
				t.Errorf("%s: instance_id present=%v for a requester-managed=%v interface", r.line, hasInstance, managed)
			}
		case "Service name, traffic path, and flow direction":
			// Ingress from S3: no traffic-path (egress only); egress to S3
			// through an internet gateway: traffic-path 8.
			switch m["flow_direction"] {
			case "ingress":
				if _, ok := m["traffic_path"]; ok || m["pkt_src_aws_service"] != "S3" {
					t.Errorf("ingress record: %v", m)
				}
			case "egress":
				if m["traffic_path"] != json.Number("8") || m["pkt_dst_aws_service"] != "S3" {
					t.Errorf("egress record: %v", m)
				}
				if !strings.Contains(flowlog.TrafficPath(8).String(), "internet gateway") {
					t.Errorf("traffic path 8 is %q", flowlog.TrafficPath(8))
				}
			default:
				t.Errorf("flow_direction %v", m["flow_direction"])
			}
		case "No data and skipped records":
			if len(m) != 6 {
				t.Errorf("%s: %d fields, want version, account, interface, start, end, log-status", r.line, len(m))
			}
		}
	}
	want := map[string]int{"Accepted and rejected traffic": 2, "No data and skipped records": 2, "Security group and network ACL rules": 2, "IPv6 traffic": 1,
		"TCP flag sequence": 8, "Traffic through a NAT gateway": 6, "Traffic through a transit gateway": 4, "Service name, traffic path, and flow direction": 2}
	for s, n := range want {
		if count[s] != n {
			t.Errorf("section %q has %d records, want %d", s, count[s], n)
		}
	}
}

var parquetType = regexp.MustCompile(`\*\*Parquet data type:\*\* ([A-Z0-9\\_]+)`)

// awsDocsFieldTable checks the field table of flow-logs.md: the version
// each field came with, and numeric (INT_32/INT_64) vs string.
func awsDocsFieldTable(t *testing.T, dir string) {
	rows := 0
	for i, l := range strings.Split(string(readFixture(t, dir, "flow-logs.md")), "\n") {
		if !strings.HasPrefix(l, "|") {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(l, `\|`, "\x00"), "|")
		if len(cells) < 4 {
			continue
		}
		name := strings.ReplaceAll(strings.TrimSpace(cells[1]), `\`, "")
		version, err := strconv.Atoi(strings.TrimSpace(cells[3]))
		if err != nil || name == "Field" {
			continue
		}
		rows++
		id, ok := flowlog.Lookup(name)
		if !ok {
			t.Errorf("flow-logs.md:%d: field %q is not in the registry", i+1, name)
			continue
		}
		if got := id.Info().Version; int(got) != version {
			t.Errorf("flow-logs.md:%d: %s came with version %d, the registry says %d", i+1, name, version, got)
		}
		m := parquetType.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("flow-logs.md:%d: no Parquet data type for %s", i+1, name)
			continue
		}
		typ := strings.ReplaceAll(m[1], `\`, "")
		if numeric := strings.HasPrefix(typ, "INT"); numeric != id.Kind().IsNumeric() {
			t.Errorf("flow-logs.md:%d: %s is %s in AWS's Parquet schema, numeric=%v here", i+1, name, typ, id.Kind().IsNumeric())
		}
	}
	t.Logf("flow-logs.md: %d fields checked", rows)
	if rows != 29 {
		t.Errorf("%d field rows in flow-logs.md, want the 29 fields of v2-v5", rows)
	}
}

// awsDocsPage streams the code blocks of flow-logs-records-examples.md
// through one reader, every other line blanked so line numbers are the
// .md's: format blocks are header lines, records follow them. The records
// must be those of aws-docs-records.txt, but for the two annotated ones.
func awsDocsPage(t *testing.T, dir string, records []awsDocsRecord, maps []map[string]any) {
	md := strings.Split(string(readFixture(t, dir, "flow-logs-records-examples.md")), "\n")
	var annotated, elided []int64
	stripped := map[string]bool{} // annotated lines without their annotation
	in := false
	for i, l := range md {
		if strings.HasPrefix(l, "```") {
			in = !in
			md[i] = ""
			continue
		}
		if !in {
			md[i] = ""
			continue
		}
		switch {
		case l == "...":
			elided = append(elided, int64(i+1))
		case strings.Contains(l, " #"):
			annotated = append(annotated, int64(i+1))
			stripped[strings.TrimSpace(l[:strings.Index(l, " #")])] = true
		}
	}
	cfg := parse.DefaultConfig()
	cfg.MaxReportedErrors = 10
	recs, st := parseAll(t, "flow-logs-records-examples.md", []byte(strings.Join(md, "\n")), cfg)
	var expected []map[string]any
	for i, r := range records {
		if !stripped[r.line] {
			expected = append(expected, maps[i])
		}
	}

	t.Run("docs-page-stream", func(t *testing.T) {
		if st.Headers != 4 {
			t.Errorf("%d header lines, want the 4 format blocks", st.Headers)
		}
		if len(recs) != len(expected) || len(expected) != len(records)-2 {
			t.Fatalf("%d records from the page, want %d (aws-docs-records.txt but the 2 annotated ones)", len(recs), len(expected))
		}
		for i := range recs {
			if d := diffMaps(expected[i], mapOf(t, &recs[i])); len(d) > 0 {
				t.Errorf("page record %d differs from aws-docs-records.txt:\n%s", i+1, strings.Join(d, "\n"))
			}
		}
	})
	var want []wantMalformed
	for _, n := range append(annotated, elided...) {
		want = append(want, wantMalformed{n, parse.ReasonFieldCount})
	}
	deliberate(t, "annotated-nat-lines",
		"the docs append '#Traffic from ...' notes to two NAT records; AWS never writes comments into flow logs, so a line with extra tokens is malformed (field-count, at its .md line), never truncated at '#' (Beats reads them through YAML, which drops the comment)",
		func(t *testing.T) {
			if len(annotated) != 2 || len(elided) != 1 {
				t.Fatalf("found %d annotated and %d elided lines in the page, want 2 and 1", len(annotated), len(elided))
			}
			checkMalformed(t, "flow-logs-records-examples.md", st, int64(len(expected)), sortMalformed(want)...)
		})
	deliberate(t, "elision-line",
		"the transit gateway block has a '...' line standing for omitted records; it is counted as a field-count malformed line like any other garbage, not skipped",
		func(t *testing.T) {
			found := false
			for _, e := range st.Errors {
				if len(elided) == 1 && e.Line == elided[0] && e.Reason == parse.ReasonFieldCount && e.Snippet == "..." {
					found = true
				}
			}
			if !found {
				t.Errorf("the '...' line was not reported as field-count: %v", st.Errors)
			}
		})
}

func sortMalformed(w []wantMalformed) []wantMalformed {
	for i := 1; i < len(w); i++ {
		for j := i; j > 0 && w[j].line < w[j-1].line; j-- {
			w[j], w[j-1] = w[j-1], w[j]
		}
	}
	return w
}
