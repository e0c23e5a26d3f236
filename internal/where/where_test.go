package where

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/store"
)

func TestParse(t *testing.T) {
	f := func(in, want, wantErr string) {
		t.Helper()
		got, err := Parse(in)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("Parse(%q) err = %v, want %q", in, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		var parts []string
		for _, c := range got.Conds {
			parts = append(parts, fmt.Sprintf("%s/%d/%v", c.Field, c.Op, c.Values))
		}
		if s := strings.Join(parts, " "); s != want {
			t.Fatalf("Parse(%q) = %s, want %s", in, s, want)
		}
	}
	f("", "", "")
	f("dstport=22", fmt.Sprintf("dstport/%d/[22]", store.OpEq), "")
	f("dstport=22|3389, action=reject", fmt.Sprintf("dstport/%d/[22 3389] action/%d/[REJECT]", store.OpIn, store.OpEq), "")
	f("srcaddr=10.0.0.0/8 and bytes>=1000", fmt.Sprintf("srcaddr/%d/[10.0.0.0/8] bytes/%d/[1000]", store.OpInPrefix, store.OpGe), "")
	f("srcaddr!=10.1.2.3/8", fmt.Sprintf("srcaddr/%d/[10.0.0.0/8]", store.OpNotInPrefix), "")
	f("pkt_srcaddr!=-", fmt.Sprintf("pkt-srcaddr/%d/[]", store.OpPresent), "")
	f("interface-id=eni-1", fmt.Sprintf("interface-id/%d/[eni-1]", store.OpEq), "")
	f("log-status=nodata", fmt.Sprintf("log-status/%d/[NODATA]", store.OpEq), "")
	f("flow_direction=Ingress", fmt.Sprintf("flow-direction/%d/[ingress]", store.OpEq), "")
	f("dstport=70000", "", "not a number in range")
	f("nope=1", "", "unknown field")
	f("srcaddr>10.0.0.0/8", "", "CIDR only works")
	f("srcaddr=10.0.0.1|10.0.0.0/8", "", "mix of addresses")
	f("dstport", "", "expected FIELD OP VALUE")
	f("dstport=", "", "missing value")
	f("action=ALLOW", "", "ACCEPT or REJECT")
	f("bytes>-", "", "absent")
}
