package parse_test

// OpenTelemetry Collector Contrib awslogsencodingextension, VPC flow log
// unmarshaler; fixtures in
// shared/conformance/otel-collector-contrib-awslogsencoding (SOURCE.txt).
//
// Mapping OTel → flowlens (otelAttr below, from the unmarshaler's
// handleField): OTel renames every field to a semantic-convention attribute;
// intValue is a quoted decimal. Resource attributes cloud.account.id and
// cloud.region are account_id and region of every record of the resource;
// timeUnixNano is `end` in nanoseconds. Value changes undone here:
// network.protocol.name is the IANA keyword ("tcp") of the protocol number;
// network.type is `type` lower-cased; network.io.direction receive/transmit
// is flow_direction ingress/egress; network.tcp.flags and
// aws.vpc.flow.traffic_path are decimal strings; aws.vpc.flow.start is Unix
// seconds or, with the ISO 8601 feature gate, an RFC 3339 string.
//
// Addresses are not a renaming: source.address is pkt-srcaddr when the
// format has it, else srcaddr, and the interface address moves to
// network.local.address when they differ (same for destination). So they are
// compared the other way round: otelAddresses applies that rule to our
// record and the result must equal the expected address attributes.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// otelAttr maps OTel log record attributes to AWS columns.
var otelAttr = map[string]string{
	"aws.vpc.flow.log.version":         "version",
	"network.interface.name":           "interface_id",
	"source.port":                      "srcport",
	"destination.port":                 "dstport",
	"network.protocol.name":            "protocol", // IANA keyword, see otelProtocols
	"aws.vpc.flow.packets":             "packets",
	"aws.vpc.flow.bytes":               "bytes",
	"aws.vpc.flow.start":               "start", // Unix seconds or RFC 3339
	"aws.vpc.flow.action":              "action",
	"aws.vpc.flow.status":              "log_status",
	"network.tcp.flags":                "tcp_flags", // decimal string
	"network.type":                     "type",      // lower-cased
	"network.io.direction":             "flow_direction",
	"aws.vpc.id":                       "vpc_id",
	"aws.vpc.subnet.id":                "subnet_id",
	"host.id":                          "instance_id",
	"aws.az.id":                        "az_id",
	"aws.sublocation.type":             "sublocation_type",
	"aws.sublocation.id":               "sublocation_id",
	"aws.vpc.flow.source.service":      "pkt_src_aws_service",
	"aws.vpc.flow.destination.service": "pkt_dst_aws_service",
	"aws.vpc.flow.traffic_path":        "traffic_path", // decimal string
	"aws.vpc.flow.reject_reason":       "reject_reason",

	"aws.vpc.flow.packets_lost_no_route":     "packets_lost_no_route",
	"aws.vpc.flow.packets_lost_blackhole":    "packets_lost_blackhole",
	"aws.vpc.flow.packets_lost_mtu_exceeded": "packets_lost_mtu_exceeded",
	"aws.vpc.flow.packets_lost_ttl_expired":  "packets_lost_ttl_expired",

	"aws.ecs.cluster.arn":            "ecs_cluster_arn",
	"aws.ecs.cluster.name":           "ecs_cluster_name",
	"aws.ecs.container.instance.arn": "ecs_container_instance_arn",
	"aws.ecs.container.instance.id":  "ecs_container_instance_id",
	"aws.ecs.container.id":           "ecs_container_id",
	"aws.ecs.second.container.id":    "ecs_second_container_id",
	"aws.ecs.service.name":           "ecs_service_name",
	"aws.ecs.task.definition.arn":    "ecs_task_definition_arn",
	"aws.ecs.task.arn":               "ecs_task_arn",
	"aws.ecs.task.id":                "ecs_task_id",

	"aws.tgw.id":                        "tgw_id",
	"aws.tgw.attachment.id":             "tgw_attachment_id",
	"aws.tgw.source.vpc.id":             "tgw_src_vpc_id",
	"aws.tgw.destination.vpc.id":        "tgw_dst_vpc_id",
	"aws.tgw.source.vpc.subnet.id":      "tgw_src_subnet_id",
	"aws.tgw.destination.vpc.subnet.id": "tgw_dst_subnet_id",
	"aws.tgw.source.eni.id":             "tgw_src_eni",
	"aws.tgw.destination.eni.id":        "tgw_dst_eni",
	"aws.tgw.source.az.id":              "tgw_src_az_id",
	"aws.tgw.destination.az.id":         "tgw_dst_az_id",
	"aws.tgw.attachment.pair.id":        "tgw_pair_attachment_id",
}

// otelAddressAttrs are the attributes otelAddresses produces.
var otelAddressAttrs = map[string]bool{
	"source.address": true, "destination.address": true, "network.local.address": true, "network.peer.address": true,
}

// otelProtocols is OTel's protocol-number → IANA keyword table for the
// numbers that matter here (its const.go has all of them).
var otelProtocols = map[string]string{
	"0": "hopopt", "1": "icmp", "2": "igmp", "4": "ipv4", "6": "tcp", "8": "egp", "17": "udp",
	"41": "ipv6", "47": "gre", "50": "esp", "51": "ah", "58": "ipv6-icmp", "89": "ospf", "112": "vrrp", "132": "sctp",
}

// otelValue undoes OTel's value changes for column col.
func otelValue(col, v string) (any, error) {
	switch col {
	case "protocol":
		for num, name := range otelProtocols {
			if name == v {
				return num, nil
			}
		}
		return nil, fmt.Errorf("protocol name %q is not in otelProtocols: add it", v)
	case "type":
		for _, tt := range []flowlog.TrafficType{flowlog.TypeIPv4, flowlog.TypeIPv6, flowlog.TypeEFA} {
			if strings.ToLower(tt.String()) == v {
				return tt.String(), nil
			}
		}
		return nil, fmt.Errorf("network.type %q", v)
	case "flow_direction":
		switch v {
		case "receive":
			return "ingress", nil
		case "transmit":
			return "egress", nil
		}
		return nil, fmt.Errorf("network.io.direction %q", v)
	case "start":
		if strings.Contains(v, "T") {
			return epochOf(v)
		}
	}
	return v, nil
}

// otelAddresses applies OTel's address rule (handleAddresses) to our map.
func otelAddresses(m map[string]any) map[string]any {
	out := map[string]any{}
	src, srcOK := m["srcaddr"]
	psrc, psrcOK := m["pkt_srcaddr"]
	switch {
	case !psrcOK && srcOK:
		out["source.address"] = src
	case psrcOK && srcOK:
		out["source.address"] = psrc
		if psrc != src {
			out["network.local.address"] = src // srcaddr is the middle layer
		}
	}
	dst, dstOK := m["dstaddr"]
	pdst, pdstOK := m["pkt_dstaddr"]
	switch {
	case !pdstOK && dstOK:
		out["destination.address"] = dst
	case pdstOK && dstOK:
		out["destination.address"] = pdst
		if pdst != dst {
			// dstaddr is the middle layer; OTel only warns when srcaddr
			// was one too, and overwrites it.
			out["network.local.address"] = dst
		}
	}
	return out
}

// otelRecord is one expected log record mapped back: AWS columns and the
// address attributes.
type otelRecord struct {
	aws   map[string]any
	addrs map[string]any
}

// otelKV is one attribute: {key, value: {stringValue|intValue: ...}}.
type otelKV struct {
	Key   string            `yaml:"key"`
	Value map[string]string `yaml:"value"`
}

func (kv otelKV) scalar() (string, error) {
	if len(kv.Value) != 1 {
		return "", fmt.Errorf("%s: value %v is not one stringValue or intValue", kv.Key, kv.Value)
	}
	for typ, v := range kv.Value {
		if typ != "stringValue" && typ != "intValue" {
			return "", fmt.Errorf("%s: unexpected %s", kv.Key, typ)
		}
		return v, nil
	}
	return "", nil
}

// loadOTel reads a golden plog YAML file and maps its records back.
func loadOTel(t *testing.T, dir, name string, envelope *otelEnvelope) []otelRecord {
	t.Helper()
	var doc struct {
		ResourceLogs []struct {
			Resource struct {
				Attributes []otelKV `yaml:"attributes"`
			} `yaml:"resource"`
			ScopeLogs []struct {
				LogRecords []map[string]any `yaml:"logRecords"`
			} `yaml:"scopeLogs"`
		} `yaml:"resourceLogs"`
	}
	if err := yaml.Unmarshal(readFixture(t, dir, name), &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []otelRecord
	for _, rl := range doc.ResourceLogs {
		res := map[string]any{}
		for _, kv := range rl.Resource.Attributes {
			v, err := kv.scalar()
			if err != nil {
				t.Fatalf("%s: resource %v", name, err)
			}
			switch kv.Key {
			case "cloud.provider":
				if v != "aws" {
					t.Fatalf("%s: cloud.provider %q", name, v)
				}
			case "cloud.account.id":
				res["account_id"] = v
			case "cloud.region":
				res["region"] = v
			case "aws.log.group.names", "aws.log.stream.names":
				// CloudWatch envelope, not a record field.
				if envelope == nil || v != envelope.get(kv.Key) {
					t.Fatalf("%s: %s %q does not match the CloudWatch input", name, kv.Key, v)
				}
			default:
				t.Fatalf("%s: unmapped resource attribute %s", name, kv.Key)
			}
		}
		for _, sl := range rl.ScopeLogs {
			for i, lr := range sl.LogRecords {
				r, err := otelLogRecord(lr, res)
				if err != nil {
					t.Fatalf("%s: log record %d: %v", name, i, err)
				}
				out = append(out, r)
			}
		}
	}
	return out
}

func otelLogRecord(lr map[string]any, res map[string]any) (otelRecord, error) {
	r := otelRecord{aws: map[string]any{}, addrs: map[string]any{}}
	for k, v := range res {
		if err := setExpected(r.aws, k, v); err != nil {
			return r, err
		}
	}
	for k, v := range lr {
		switch k {
		case "attributes":
			b, _ := yaml.Marshal(v)
			var kvs []otelKV
			if err := yaml.Unmarshal(b, &kvs); err != nil {
				return r, err
			}
			for _, kv := range kvs {
				s, err := kv.scalar()
				if err != nil {
					return r, err
				}
				if otelAddressAttrs[kv.Key] {
					r.addrs[kv.Key] = s
					continue
				}
				col, ok := otelAttr[kv.Key]
				if !ok {
					return r, fmt.Errorf("unmapped attribute %s", kv.Key)
				}
				val, err := otelValue(col, s)
				if err != nil {
					return r, err
				}
				if err := setExpected(r.aws, col, val); err != nil {
					return r, err
				}
			}
		case "timeUnixNano": // `end`, in nanoseconds
			ns, err := strconv.ParseUint(fmt.Sprint(v), 10, 64)
			if err != nil || ns%1e9 != 0 {
				return r, fmt.Errorf("timeUnixNano %v is not whole seconds", v)
			}
			if err := setExpected(r.aws, "end", strconv.FormatUint(ns/1e9, 10)); err != nil {
				return r, err
			}
		case "body":
			if m, ok := v.(map[string]any); !ok || len(m) != 0 {
				return r, fmt.Errorf("non-empty body %v", v)
			}
		case "spanId", "traceId":
			if v != "" {
				return r, fmt.Errorf("%s %v", k, v)
			}
		default:
			return r, fmt.Errorf("unmapped log record member %s", k)
		}
	}
	return r, nil
}

// otelEnvelope is a CloudWatch Logs subscription payload.
type otelEnvelope struct {
	LogGroup  string `json:"logGroup"`
	LogStream string `json:"logStream"`
	LogEvents []struct {
		Message string `json:"message"`
	} `json:"logEvents"`
}

func (e *otelEnvelope) get(attr string) string {
	if attr == "aws.log.group.names" {
		return e.LogGroup
	}
	return e.LogStream
}

// otelTGWCloudWatchFormat is the format of the TGW CloudWatch message: the
// TGW S3 fixture's header without the four packets-lost-* fields, which is
// what OTel's TGW default for CloudWatch was at the fixture's commit.
const otelTGWCloudWatchFormat = "version account-id tgw-id tgw-attachment-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type tcp-flags flow-direction region"

func TestConformanceOTel(t *testing.T) {
	dir := fixtureDir(t, "otel-collector-contrib-awslogsencoding")
	tl := &tally{folder: "otel-collector-contrib-awslogsencoding"}
	inputs := 0

	// run parses input (an S3 text file, or the logEvents of a CloudWatch
	// payload when cw) and compares it with the expected file.
	run := func(t *testing.T, input, expected, format string, cw bool) {
		data := readFixture(t, dir, input)
		var env *otelEnvelope
		if cw {
			env = &otelEnvelope{}
			decodeJSON(t, input, data, env)
			var msgs []string
			for _, e := range env.LogEvents {
				msgs = append(msgs, e.Message)
			}
			data = []byte(strings.Join(msgs, "\n"))
		}
		var f *parse.Format
		if format != "" {
			f = mustFormat(t, format)
		}
		want := loadOTel(t, dir, expected, env)
		inputs += len(want)
		recs, st := parseAll(t, input, data, configWith(f))
		requireClean(t, input, st)
		if len(recs) != len(want) {
			t.Fatalf("%s: %d records, %s has %d", input, len(recs), expected, len(want))
		}
		for i := range recs {
			label := fmt.Sprintf("%s record %d vs %s", input, i+1, expected)
			got := mapOf(t, &recs[i])
			addrs := otelAddresses(got)
			if d := diffMaps(want[i].addrs, addrs); len(d) > 0 {
				t.Errorf("%s: address attributes differ:\n%s", label, strings.Join(d, "\n"))
			}
			tl.fields += len(unionKeys(want[i].addrs, addrs))
			for _, k := range []string{"srcaddr", "dstaddr", "pkt_srcaddr", "pkt_dstaddr"} {
				delete(got, k) // compared through otelAddresses
			}
			tl.compare(t, label, want[i].aws, got)
		}
	}
	for _, c := range []struct {
		name, input, expected, format string
		cw                            bool
	}{
		{"s3-single", "valid_vpc_flow_log.log", "valid_vpc_flow_log_single_expected.yaml", "", false},
		{"s3-multi", "valid_vpc_flow_log_multi.log", "valid_vpc_flow_log_expected_multi.yaml", "", false},
		{"s3-multi-iso8601", "valid_vpc_flow_log_multi.log", "valid_vpc_flow_log_expected_multi_iso8601.yaml", "", false},
		{"s3-ecs", "valid_vpc_flow_log_ecs.log", "valid_vpc_flow_log_ecs_expected.yaml", "", false},
		{"s3-tgw", "valid_tgw_flow_log.log", "valid_tgw_flow_log_expected.yaml", "", false},
		{"cloudwatch", "valid_vpc_flow_cw.json", "valid_vpc_flow_cw_expected.yaml", "", true},
		{"cloudwatch-custom", "valid_vpc_flow_cw_custom.json", "valid_vpc_flow_cw_custom_expected.yaml", "version interface-id srcaddr dstaddr", true},
		{"cloudwatch-tgw", "valid_tgw_flow_cw.json", "valid_tgw_flow_cw_expected.yaml", otelTGWCloudWatchFormat, true},
	} {
		t.Run(c.name, func(t *testing.T) { run(t, c.input, c.expected, c.format, c.cw) })
	}
	tl.done(t, inputs)

	testOTelDeliberate(t, dir)
}

func testOTelDeliberate(t *testing.T, dir string) {
	deliberate(t, "too-few-fields",
		"OTel first failed the whole object on a short line, later emitted a partial record without the missing trailing fields (vpc_flow_log_too_few_fields_expected.yaml); a short line is truncated or of another format, and guessing which fields are missing would mis-assign values, so we count it as a field-count malformed line with file:line and go on",
		func(t *testing.T) {
			few := readFixture(t, dir, "vpc_flow_log_too_few_fields.log")
			partial := loadOTel(t, dir, "vpc_flow_log_too_few_fields_expected.yaml", nil)
			if len(partial) != 1 || partial[0].aws["log_status"] != nil {
				t.Fatalf("the upstream partial record changed: %v", partial)
			}
			recs, st := parseAll(t, "vpc_flow_log_too_few_fields.log", few, parse.DefaultConfig())
			checkMalformed(t, "vpc_flow_log_too_few_fields.log", st, 0, wantMalformed{2, parse.ReasonFieldCount})
			if len(recs) != 0 {
				t.Errorf("a partial record was produced: %v", recs)
			}
			if len(st.Errors) == 1 && st.Errors[0].Detail != "13 fields, the format has 14" {
				t.Errorf("detail %q", st.Errors[0].Detail)
			}
		})
	deliberate(t, "malformed-lines-do-not-abort",
		"OTel returns an error for the whole object on a line with too many or too few fields, losing its good records; we count each bad line (file:line kept) and keep parsing",
		func(t *testing.T) {
			var stream []byte
			for _, name := range []string{"vpc_flow_log_too_few_fields.log", "vpc_flow_log_too_many_fields.log", "valid_vpc_flow_log_multi.log"} {
				stream = append(stream, strings.TrimRight(string(readFixture(t, dir, name)), "\n")+"\n"...)
			}
			recs, st := parseAll(t, "concatenated.log", stream, parse.DefaultConfig())
			checkMalformed(t, "concatenated.log", st, 2,
				wantMalformed{2, parse.ReasonFieldCount}, wantMalformed{4, parse.ReasonFieldCount})
			if st.Headers != 3 || len(recs) != 2 {
				t.Errorf("%d headers, %d records; want 3 and 2", st.Headers, len(recs))
			}
		})
	deliberate(t, "tgw-cloudwatch-needs-format",
		"for CloudWatch messages OTel picks a Transit Gateway default format by inspecting the message; the TGW line of this fixture has 27 fields in a custom order, so we do not guess: without --format it is counted as no-format (with the hint to pass --format), with the format it matches OTel's record (case cloudwatch-tgw)",
		func(t *testing.T) {
			var env otelEnvelope
			decodeJSON(t, "valid_tgw_flow_cw.json", readFixture(t, dir, "valid_tgw_flow_cw.json"), &env)
			if len(env.LogEvents) != 1 {
				t.Fatalf("%d log events", len(env.LogEvents))
			}
			_, st := parseAll(t, "valid_tgw_flow_cw.json", []byte(env.LogEvents[0].Message), parse.DefaultConfig())
			checkMalformed(t, "valid_tgw_flow_cw.json", st, 0, wantMalformed{1, parse.ReasonNoFormat})
			// The format used above is the S3 TGW fixture's header minus packets-lost-*.
			header := strings.SplitN(string(readFixture(t, dir, "valid_tgw_flow_log.log")), "\n", 2)[0]
			var kept []string
			for _, n := range strings.Fields(header) {
				if !strings.HasPrefix(n, "packets-lost-") {
					kept = append(kept, n)
				}
			}
			if strings.Join(kept, " ") != otelTGWCloudWatchFormat {
				t.Errorf("otelTGWCloudWatchFormat is no longer the S3 header minus packets-lost-*: %s", strings.Join(kept, " "))
			}
		})
	deliberate(t, "aws-values-kept",
		"OTel rewrites values (protocol 6 → \"tcp\", IPv4 → \"ipv4\", ingress → \"receive\", tcp-flags and traffic-path → strings, account and region to the resource); we keep AWS's values and types so output matches the source and the AWS docs, and name protocols only for display (flowlog.ProtocolName)",
		func(t *testing.T) {
			p := parseOne(t, "v5", "5 6 IPv4 ingress 19 8", mustFormat(t, "version protocol type flow-direction tcp-flags traffic-path"))
			want := map[string]any{"version": json.Number("5"), "protocol": json.Number("6"), "type": "IPv4", "flow_direction": "ingress", "tcp_flags": json.Number("19"), "traffic_path": json.Number("8")}
			if d := diffMaps(want, mapOf(t, &p)); len(d) > 0 {
				t.Errorf("%s", strings.Join(d, "\n"))
			}
			if flowlog.ProtocolName(p.rec.Protocol) != "TCP" || otelProtocols["6"] != "tcp" {
				t.Errorf("protocol names: ours %q, OTel %q", flowlog.ProtocolName(p.rec.Protocol), otelProtocols["6"])
			}
		})
	deliberate(t, "pkt-addresses-kept",
		"OTel replaces source.address by pkt-srcaddr and moves srcaddr to network.local.address (NAT example of the AWS docs); we keep srcaddr and pkt-srcaddr as AWS writes them, so the NAT gateway's own address and the original client are both queryable",
		func(t *testing.T) {
			p := parseOne(t, "nat", "- eni-1235b8ca123456789 10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5", mustFormat(t, "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr"))
			got := mapOf(t, &p)
			if got["srcaddr"] != "10.0.0.220" || got["pkt_srcaddr"] != "203.0.113.5" {
				t.Errorf("srcaddr %v, pkt_srcaddr %v", got["srcaddr"], got["pkt_srcaddr"])
			}
			otel := map[string]any{"source.address": "203.0.113.5", "network.local.address": "10.0.0.220", "destination.address": "10.0.1.5"}
			if d := diffMaps(otel, otelAddresses(got)); len(d) > 0 {
				t.Errorf("OTel view of the NAT record:\n%s", strings.Join(d, "\n"))
			}
		})
	deliberate(t, "cloudwatch-envelope-is-not-a-line",
		"the text parser unwraps only {\"message\":...} lines (Firehose); a whole CloudWatch subscription payload given as a line is counted as bad-wrapper with file:line rather than guessed at (the logEvents are unpacked by the CloudWatch source)",
		func(t *testing.T) {
			_, st := parseAll(t, "valid_vpc_flow_cw.json", readFixture(t, dir, "valid_vpc_flow_cw.json"), parse.DefaultConfig())
			checkMalformed(t, "valid_vpc_flow_cw.json", st, 0, wantMalformed{1, parse.ReasonWrapper})
		})
}
