package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// dump renders the present fields of r as "name=value" in registry order,
// then extras as "+name=value".
func dump(r *flowlog.Record, f *Format) string {
	var parts []string
	for _, fld := range flowlog.Fields() {
		if r.Has(fld.ID) {
			parts = append(parts, fld.Name+"="+r.Text(fld.ID))
		}
	}
	if f != nil {
		for i, n := range f.ExtraNames {
			if i < len(r.Extra) {
				parts = append(parts, "+"+n+"="+r.Extra[i])
			}
		}
	}
	return strings.Join(parts, " ")
}

func TestParseLine(t *testing.T) {
	f := func(format, line, want string) {
		t.Helper()
		cfg := DefaultConfig()
		if format != "" {
			ff, err := ParseFormat(format)
			if err != nil {
				t.Fatalf("ParseFormat(%q): %v", format, err)
			}
			cfg.Format = ff
		}
		p := NewParser(cfg)
		var rec flowlog.Record
		ok, err := p.ParseLine([]byte(line), &rec)
		if err != nil {
			t.Fatalf("ParseLine(%q): %v", line, err)
		}
		if !ok {
			t.Fatalf("ParseLine(%q): not a record", line)
		}
		if got := dump(&rec, p.Format()); got != want {
			t.Fatalf("ParseLine(%q)\n got: %s\nwant: %s", line, got, want)
		}
	}
	// Default format, accepted SSH.
	f("", "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"version=2 account-id=123456789010 interface-id=eni-1235b8ca123456789 srcaddr=172.31.16.139 dstaddr=172.31.16.21 srcport=20641 dstport=22 protocol=6 packets=20 bytes=4249 start=1418530010 end=1418530070 action=ACCEPT log-status=OK")
	// NODATA: '-' is absent, never zero.
	f("", "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
		"version=2 account-id=123456789010 interface-id=eni-1235b8ca123456789 start=1431280876 end=1431280934 log-status=NODATA")
	f("", "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
		"version=2 account-id=123456789010 interface-id=eni-11111111aaaaaaaaa start=1431280876 end=1431280934 log-status=SKIPDATA")
	// IPv6, canonical form.
	f("", "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
		"version=2 account-id=123456789010 interface-id=eni-1235b8ca123456789 srcaddr=2001:db8:1234:a100:8d6e:3477:df66:f105 dstaddr=2001:db8:1234:a102:3304:8879:34cf:4071 srcport=34892 dstport=22 protocol=6 packets=54 bytes=8855 start=1477913708 end=1477913820 action=ACCEPT log-status=OK")
	// unknown account (AWS-owned ENI) kept verbatim.
	f("", "2 unknown eni-0 10.0.0.1 10.0.0.2 1 2 17 1 76 1 2 ACCEPT OK",
		"version=2 account-id=unknown interface-id=eni-0 srcaddr=10.0.0.1 dstaddr=10.0.0.2 srcport=1 dstport=2 protocol=17 packets=1 bytes=76 start=1 end=2 action=ACCEPT log-status=OK")
	// Repeated spaces, tabs, CRLF, trailing and leading whitespace.
	f("", "  2  123 eni-a\t10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 REJECT OK \r",
		"version=2 account-id=123 interface-id=eni-a srcaddr=10.0.0.1 dstaddr=10.0.0.2 srcport=1 dstport=2 protocol=6 packets=1 bytes=40 start=100 end=160 action=REJECT log-status=OK")
	// Milliseconds (values above 2^31) become seconds.
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 1439387263000 1439387264999 ACCEPT OK",
		"version=2 account-id=123 interface-id=eni-a srcaddr=10.0.0.1 dstaddr=10.0.0.2 srcport=1 dstport=2 protocol=6 packets=1 bytes=40 start=1439387263 end=1439387264 action=ACCEPT log-status=OK")
	// 2^31-1 itself is seconds.
	f("${start} ${end}", "2147483647 2147483648", "start=2147483647 end=2147483")
	// Firehose wrapper, with escapes and extra members.
	f("", `{"message":"2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK"}`,
		"version=2 account-id=123 interface-id=eni-a srcaddr=10.0.0.1 dstaddr=10.0.0.2 srcport=1 dstport=2 protocol=6 packets=1 bytes=40 start=100 end=160 action=ACCEPT log-status=OK")
	f("", `{"id":"x","message":"2 123 eni-\u0061 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK","n":[1,{"a":"}"}]}`,
		"version=2 account-id=123 interface-id=eni-a srcaddr=10.0.0.1 dstaddr=10.0.0.2 srcport=1 dstport=2 protocol=6 packets=1 bytes=40 start=100 end=160 action=ACCEPT log-status=OK")
	// Custom format (AWS format string) with v3-v5 fields.
	f("${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}",
		"3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK",
		"version=3 account-id=123456789010 interface-id=eni-1235b8ca123456789 srcaddr=52.213.180.42 dstaddr=10.0.0.62 srcport=43416 dstport=5001 protocol=6 packets=8 bytes=568 start=1566848875 end=1566848933 action=ACCEPT log-status=OK vpc-id=vpc-abcdefab012345678 subnet-id=subnet-aaaaaaaa012345678 instance-id=i-01234567890123456 tcp-flags=2 type=IPv4 pkt-srcaddr=52.213.180.42 pkt-dstaddr=10.0.0.62")
	f("version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status",
		"5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK",
		"version=5 account-id=123456789012 interface-id=eni-1235b8ca123456789 srcaddr=10.0.0.71 dstaddr=52.95.128.179 srcport=34210 dstport=80 protocol=6 packets=7 bytes=471 start=1616729292 end=1616729349 action=ACCEPT log-status=OK vpc-id=vpc-abcdefab012345678 subnet-id=subnet-aaaaaaaa012345678 instance-id=i-0c50d5961bcb2d47b tcp-flags=3 type=IPv4 pkt-srcaddr=10.0.0.71 pkt-dstaddr=52.95.128.179 region=ap-southeast-2 az-id=apse2-az3 pkt-dst-aws-service=S3 flow-direction=egress traffic-path=8")
	// v8-v11 (underscore spelling accepted).
	f("version srcaddr dstaddr srcport dstport protocol start end action log_status reject_reason resource_id encryption_status interface_type",
		"11 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 REJECT OK BPA nat-0c50d5961bcb2d47b 1 nat_gateway",
		"version=11 srcaddr=10.0.0.71 dstaddr=52.95.128.179 srcport=34210 dstport=80 protocol=6 start=1616729292 end=1616729349 action=REJECT log-status=OK reject-reason=BPA resource-id=nat-0c50d5961bcb2d47b encryption-status=1 interface-type=nat_gateway")
	// Unknown future fields are kept as extras.
	f("version srcaddr future-field dstaddr", "12 10.0.0.1 hello 10.0.0.2",
		"version=12 srcaddr=10.0.0.1 dstaddr=10.0.0.2 +future-field=hello")
	f("version srcaddr future-field dstaddr", "12 10.0.0.1 - 10.0.0.2",
		"version=12 srcaddr=10.0.0.1 dstaddr=10.0.0.2 +future-field=")
	// Transit Gateway layout.
	f("version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service",
		"6 TransitGateway 123456789010 tgw-1 tgw-attach-1 123456789010 123456789011 vpc-1 vpc-2 subnet-1 subnet-2 eni-1 eni-2 use1-az1 use1-az2 tgw-attach-2 10.0.0.1 10.1.0.1 49152 443 6 10 1000 100 160 OK IPv4 0 1 2 3 18 us-east-1 ingress - -",
		"version=6 account-id=123456789010 srcaddr=10.0.0.1 dstaddr=10.1.0.1 srcport=49152 dstport=443 protocol=6 packets=10 bytes=1000 start=100 end=160 log-status=OK tcp-flags=18 type=IPv4 region=us-east-1 flow-direction=ingress resource-type=TransitGateway tgw-id=tgw-1 tgw-attachment-id=tgw-attach-1 tgw-src-vpc-account-id=123456789010 tgw-dst-vpc-account-id=123456789011 tgw-src-vpc-id=vpc-1 tgw-dst-vpc-id=vpc-2 tgw-src-subnet-id=subnet-1 tgw-dst-subnet-id=subnet-2 tgw-src-eni=eni-1 tgw-dst-eni=eni-2 tgw-src-az-id=use1-az1 tgw-dst-az-id=use1-az2 tgw-pair-attachment-id=tgw-attach-2 packets-lost-no-route=0 packets-lost-blackhole=1 packets-lost-mtu-exceeded=2 packets-lost-ttl-expired=3")
}

func TestParseLineMalformed(t *testing.T) {
	f := func(format, line string, reason Reason, detail string) {
		t.Helper()
		cfg := DefaultConfig()
		if format != "" {
			cfg.Format, _ = ParseFormat(format)
		}
		p := NewParser(cfg)
		var rec flowlog.Record
		ok, err := p.ParseLine([]byte(line), &rec)
		var le *LineError
		if ok || !errors.As(err, &le) {
			t.Fatalf("ParseLine(%q) = %v, %v; want a %s error", line, ok, err, reason)
		}
		if le.Reason != reason || !strings.Contains(le.Detail, detail) {
			t.Fatalf("ParseLine(%q): got %s %q, want %s containing %q", line, le.Reason, le.Detail, reason, detail)
		}
	}
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT", ReasonNoFormat, "--format")
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK extra more more", ReasonNoFormat, "17 fields")
	f("version srcaddr", "2 10.0.0.1 x", ReasonFieldCount, "3 fields, the format has 2")
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 70000 2 6 1 40 100 160 ACCEPT OK", ReasonNumber, `srcport: "70000" is out of range (max 65535)`)
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 256 1 40 100 160 ACCEPT OK", ReasonNumber, "protocol")
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 -1 40 100 160 ACCEPT OK", ReasonNumber, `packets: "-1" is not a number`)
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 4x 100 160 ACCEPT OK", ReasonNumber, "bytes")
	f("", "2 123 eni-a 10.0.0.300 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK", ReasonAddress, `srcaddr: "10.0.0.300"`)
	f("", "2 123 eni-a 10.0.0.1 fe80::1%eth0 1 2 6 1 40 100 160 ACCEPT OK", ReasonAddress, "dstaddr")
	f("", "2 123 eni-a 10.0.0.1 010.0.0.2 1 2 6 1 40 100 160 ACCEPT OK", ReasonAddress, "dstaddr")
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ALLOW OK", ReasonEnum, "ACCEPT or REJECT")
	f("", "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT ok", ReasonEnum, "log-status")
	f("", `{"msg":"2 123"}`, ReasonWrapper, "message")
	f("", `{"message":"2 123"`, ReasonWrapper, "message")
	f("", `{"message":2}`, ReasonWrapper, "message")
}

func TestParseFormat(t *testing.T) {
	f := func(in, wantHeader string, wantErr string) {
		t.Helper()
		got, err := ParseFormat(in)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("ParseFormat(%q) error = %v, want %q", in, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseFormat(%q): %v", in, err)
		}
		if got.Header() != wantHeader {
			t.Fatalf("ParseFormat(%q) = %q, want %q", in, got.Header(), wantHeader)
		}
		again, err := ParseFormat(got.String())
		if err != nil || again.Header() != wantHeader {
			t.Fatalf("round trip of %q: %v %v", got.String(), again, err)
		}
	}
	f("${version} ${account-id} ${interface-id}", "version account-id interface-id", "")
	f("version account_id interface_id", "version account-id interface-id", "")
	f("version,log-status", "version log-status", "")
	f("version new-thing", "version new-thing", "")
	f("", "", "empty format")
	f("${version", "", "malformed")
	f("version version", "", "twice")
	f("version log_status log-status", "", "twice")
	f("ver$ion", "", "malformed")
	f("a/b", "", "not a field name")
	if v := DefaultFormat(); !v.IsDefault() || v.Version() != 2 || v.Len() != 14 {
		t.Fatalf("DefaultFormat: %v", v.Header())
	}
	if v, _ := ParseFormat("version ecs-task-id"); v.Version() != 7 {
		t.Fatalf("version of an ECS format = %d, want 7", v.Version())
	}
}

func TestAppendLineRoundTrip(t *testing.T) {
	lines := []string{
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
		"2 unknown eni-1 2001:db8::1 2001:db8::2 0 0 58 1 64 1 2 REJECT OK",
	}
	for _, line := range lines {
		p := NewParser(DefaultConfig())
		var rec flowlog.Record
		if ok, err := p.ParseLine([]byte(line), &rec); !ok || err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if got := string(DefaultFormat().AppendLine(nil, &rec)); got != line {
			t.Fatalf("AppendLine\n got: %s\nwant: %s", got, line)
		}
	}
}
