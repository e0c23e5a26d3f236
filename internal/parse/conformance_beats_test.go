package parse_test

// Elastic Beats processor parse_aws_vpc_flow_log (x-pack/filebeat/processors/
// aws_vpcflow) golden tests; fixtures in
// shared/conformance/elastic-beats-processor-aws_vpcflow (SOURCE.txt).
//
// Mapping Beats → flowlens. The processor writes the AWS fields under
// aws.vpcflow.<column> with their types (start/end as RFC 3339 UTC, mapped
// back to Unix seconds); in "ecs" mode the fields that have an ECS mapping
// move to ECS names (beatsECS, mapped back by name; event.start/end are RFC
// 3339, event.action lower-case, network.iana_number a string). Everything
// else in an event is redundant with those fields (source.address,
// network.packets, event.outcome, related.ip, tcp_flags_array, ...): it is
// recomputed from OUR record by beatsDerived and must equal the golden
// value. A golden key that is neither mapped nor derived fails the test, so
// nothing is skipped silently.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// beatsECS maps the ECS fields the processor writes back to AWS columns.
var beatsECS = map[string]string{
	"cloud.account.id":           "account_id",
	"source.ip":                  "srcaddr",
	"destination.ip":             "dstaddr",
	"source.port":                "srcport",
	"destination.port":           "dstport",
	"network.iana_number":        "protocol", // decimal string
	"source.packets":             "packets",
	"source.bytes":               "bytes",
	"event.start":                "start", // RFC 3339
	"event.end":                  "end",   // RFC 3339
	"event.action":               "action",
	"cloud.instance.id":          "instance_id",
	"cloud.region":               "region",
	"cloud.availability_zone":    "az_id",
	"network.direction":          "flow_direction",
	"orchestrator.cluster.id":    "ecs_cluster_arn",
	"orchestrator.cluster.name":  "ecs_cluster_name",
	"orchestrator.resource.name": "ecs_container_instance_arn",
	"orchestrator.resource.id":   "ecs_container_instance_id",
	"container.id":               "ecs_container_id",
	"service.name":               "ecs_service_name",
	"event.reason":               "reject_reason",
}

// beatsTransport is the processor's protocol number → network.transport
// table: it names only these protocols.
var beatsTransport = map[string]string{
	"0": "hopopt", "1": "icmp", "2": "igmp", "6": "tcp", "8": "egp", "17": "udp",
	"47": "gre", "50": "esp", "58": "ipv6-icmp", "112": "vrrp", "132": "sctp",
}

// beatsSample is one input line of the YAML file with its golden event.
type beatsSample struct {
	label  string
	mode   string // original, ecs, ecs_and_original
	format *parse.Format
	line   string
	event  map[string]any // flattened: "aws.vpcflow.version", "source.ip", ...
}

// loadBeats reads aws-vpc-flow-logs.yml and the golden file of each case.
func loadBeats(t *testing.T, dir string) []beatsSample {
	t.Helper()
	var cases map[string]struct {
		Mode    string   `yaml:"mode"`
		Format  string   `yaml:"format"`
		Samples []string `yaml:"samples"`
	}
	if err := yaml.Unmarshal(readFixture(t, dir, "aws-vpc-flow-logs.yml"), &cases); err != nil {
		t.Fatalf("aws-vpc-flow-logs.yml: %v", err)
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []beatsSample
	for _, name := range names {
		c := cases[name]
		mode := c.Mode
		if mode == "" {
			mode = "ecs"
		}
		golden := name + ".golden.json"
		var events []map[string]any
		decodeJSON(t, golden, readFixture(t, dir, golden), &events)
		if len(events) != len(c.Samples) || len(events) == 0 {
			t.Fatalf("%s: %d golden events for %d samples", name, len(events), len(c.Samples))
		}
		f := mustFormat(t, c.Format)
		for i, line := range c.Samples {
			flat := map[string]any{}
			flatten("", events[i], flat)
			out = append(out, beatsSample{label: fmt.Sprintf("%s[%d] (%s mode)", name, i, mode), mode: mode, format: f, line: line, event: flat})
		}
	}
	return out
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = v
	}
}

// beatsDerived recomputes from our record every redundant key the
// processor writes in mode.
func beatsDerived(got map[string]any, f *parse.Format, mode, line string) map[string]any {
	d := map[string]any{"message": line}
	if tf, ok := got["tcp_flags"]; ok && tf != json.Number("0") {
		var v uint64
		fmt.Sscan(tf.(json.Number).String(), &v)
		var names []any
		for _, n := range flowlog.TCPFlags(v).Names() {
			names = append(names, strings.ToLower(n))
		}
		d["aws.vpcflow.tcp_flags_array"] = names
	}
	if mode == "original" {
		return d
	}
	copyIf := func(key, col string) {
		if v, ok := got[col]; ok {
			d[key] = v
		}
	}
	copyIf("source.address", "srcaddr")
	copyIf("destination.address", "dstaddr")
	copyIf("network.packets", "packets")
	copyIf("network.bytes", "bytes")
	if end, ok := got["end"]; ok {
		d["@timestamp"] = rfc3339Of(end)
	}
	if src, ok := got["srcaddr"].(string); ok {
		d["network.type"] = "ipv6"
		if strings.Contains(src, ".") {
			d["network.type"] = "ipv4"
		}
	}
	if p, ok := got["protocol"]; ok {
		if name, ok := beatsTransport[p.(json.Number).String()]; ok {
			d["network.transport"] = name
		}
	}
	evType := []any{"connection"}
	switch got["action"] {
	case "ACCEPT":
		d["event.outcome"] = "success"
		evType = append(evType, "allowed")
	case "REJECT":
		d["event.outcome"] = "failure"
		evType = append(evType, "denied")
	}
	d["event.type"] = evType
	if _, ok := got["ecs_cluster_name"]; ok {
		d["orchestrator.type"] = "ecs"
	}
	if _, ok := got["ecs_container_instance_arn"]; ok {
		d["orchestrator.resource.type"] = "container"
	}
	var ips []any
	seen := map[any]bool{}
	for _, id := range f.Fields {
		if id.Valid() && id.Kind() == flowlog.KindAddr {
			if v, ok := got[id.Column()]; ok && !seen[v] {
				seen[v] = true
				ips = append(ips, v)
			}
		}
	}
	if len(ips) > 0 {
		d["related.ip"] = ips
	}
	return d
}

// checkBeats compares one golden event with our parse of its line.
func checkBeats(t *testing.T, tl *tally, s *beatsSample, got map[string]any) {
	t.Helper()
	derived := beatsDerived(got, s.format, s.mode, s.line)
	want := map[string]any{}
	for k, v := range s.event {
		col := ""
		if rest, ok := strings.CutPrefix(k, "aws.vpcflow."); ok && rest != "tcp_flags_array" {
			col = rest
		} else if s.mode != "original" {
			col = beatsECS[k]
		}
		if col == "" {
			dv, ok := derived[k]
			if !ok {
				t.Errorf("%s: golden key %s is neither mapped nor derived", s.label, k)
				continue
			}
			tl.fields++
			if !reflect.DeepEqual(dv, v) {
				t.Errorf("%s: %s = %v in the golden file, %v from our record", s.label, k, v, dv)
			}
			continue
		}
		if str, ok := v.(string); ok {
			switch col {
			case "start", "end": // RFC 3339 in every mode
				n, err := epochOf(str)
				if err != nil {
					t.Errorf("%s: %s: %v", s.label, k, err)
				}
				v = n
			case "action":
				v = strings.ToUpper(str)
			}
		}
		if err := setExpected(want, col, v); err != nil {
			t.Errorf("%s: %s: %v", s.label, k, err)
		}
	}
	for k := range derived {
		if _, ok := s.event[k]; !ok {
			t.Errorf("%s: our record implies %s = %v, the golden file has no %s", s.label, k, derived[k], k)
		}
	}
	tl.compare(t, s.label, want, got)
}

func TestConformanceBeats(t *testing.T) {
	dir := fixtureDir(t, "elastic-beats-processor-aws_vpcflow")
	samples := loadBeats(t, dir)
	tl := &tally{folder: "elastic-beats-processor-aws_vpcflow"}
	for i := range samples {
		s := &samples[i]
		t.Run(s.label, func(t *testing.T) {
			if s.event["message"] != s.line {
				t.Fatalf("golden message %q is not the sample %q", s.event["message"], s.line)
			}
			p := parseOne(t, s.label, s.line, s.format)
			checkBeats(t, tl, s, mapOf(t, &p))
		})
	}
	tl.done(t, len(samples))

	deliberate(t, "protocol-names",
		"Beats names only 11 protocols (network.transport) and spells 58 \"ipv6-icmp\"; we keep the number (the AWS field) and name 27 protocols for display, 58 as \"ICMPv6\" (the name people search for)",
		func(t *testing.T) {
			for num, name := range beatsTransport {
				var p uint8
				fmt.Sscan(num, &p)
				ours := strings.ToLower(flowlog.ProtocolName(p))
				if want := map[string]string{"58": "icmpv6"}[num]; want != "" {
					if ours != want {
						t.Errorf("protocol %s: %q, want %q", num, ours, want)
					}
				} else if ours != name {
					t.Errorf("protocol %s: %q, Beats %q", num, ours, name)
				}
			}
			if flowlog.ProtocolName(41) != "IPv6" || flowlog.ProtocolName(255) != "255" {
				t.Errorf("names beyond Beats' table: 41=%q 255=%q", flowlog.ProtocolName(41), flowlog.ProtocolName(255))
			}
		})
	deliberate(t, "one-format-per-stream",
		"Beats picks one of several configured formats by token count; a flow log object has one format (its header, or the flow log's format string), and choosing by count would silently mis-assign two formats of equal length, so a line of another length is a field-count malformed line with file:line",
		func(t *testing.T) {
			var v2, v5 *beatsSample
			for i := range samples {
				switch {
				case strings.HasPrefix(samples[i].label, "default-v2-format[0]"):
					v2 = &samples[i]
				case strings.HasPrefix(samples[i].label, "v5-fields-ecs[0]"):
					v5 = &samples[i]
				}
			}
			if v2 == nil || v5 == nil {
				t.Fatal("default-v2-format or v5-fields-ecs missing from the fixtures")
			}
			_, st := parseAll(t, "mixed.log", []byte(v2.line+"\n"+v5.line+"\n"), configWith(v2.format))
			checkMalformed(t, "mixed.log", st, 1, wantMalformed{2, parse.ReasonFieldCount})
		})
}
