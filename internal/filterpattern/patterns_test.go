package filterpattern

import (
	"math/rand"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// Hand-written patterns over the default format (version account-id
// interface-id srcaddr dstaddr srcport dstport protocol packets bytes start
// end action log-status), used by the differential tests.
var defaultPatterns = []string{
	``,
	`""`,
	`[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`,
	`[..., action="REJECT", status]`,
	`[..., action=REJECT || action=ACCEPT, status]`,
	`[..., status!=OK]`,
	`[..., status=*DATA]`,
	`[v, a, e, src=10.0.2.*, ...]`,
	`[v, a, e, src!=10.0.2.* && src!=*::*, ...]`,
	`[v, a, e, s, d, sp, destport=4*, ...]`,
	`[v, a, e, s, d, sp, destport=*4, ...]`,
	`[v, a, e, s, d, sp, destport=4*3, ...]`,
	`[..., bytes>=1000000, start, end, action, status]`,
	`[..., bytes>=1e6 && bytes<1000002, start, end, action, status]`,
	`[..., bytes>18446744073709551614, start, end, action, status]`,
	`[..., bytes>=18446744073709551616, start, end, action, status]`,
	`[..., bytes<18446744073709551616, start, end, action, status]`,
	`[..., packets>4999999.5, bytes, start, end, action, status]`,
	`[..., packets<=-1, bytes, start, end, action, status]`,
	`[..., packets!=0, bytes, start, end, action, status]`,
	`[v, a, e, s="-", ...]`,
	`[v, a, e, s!="-", d="-", ...]`,
	`[v, account=123456789012, ...]`,
	`[v, account!=123456789012, ...]`,
	`[v, account<1000, ...]`,
	`[v, account>=1.2e11, ...]`,
	`[v, account=unknown, ...]`,
	`[v, account=0*, ...]`,
	`[v, a, e, s, d, sp<1024 && sp>0, dp, ...]`,
	`[v, a, e, s, d, sp, dp!=22 && dp!=443, ...]`,
	`[v, a, e, s, d, sp, dp, protocol=06, ...]`,
	`[v, a, e, s, d, sp, dp, protocol="6.0" || protocol=1.7e1, ...]`,
	`[v, a, e, s, d, sp, dp, protocol>6, ...]`,
	`[..., action=REJECT, ...]`,
	`[..., dp=22, protocol=6, ...]`,
	`[v, ..., dp=443, ..., action=ACCEPT, ...]`,
	`[v=2, ..., x=REJECT, ..., y=*, ..., z=OK]`,
	`[..., a=22, ..., b=6, ..., c=REJECT, ..., d=OK]`,
	`[v, a, e=%^eni-0%, ...]`,
	`[v, a, e=eni_0*, ...]`,
	`[v, a, e=*%*, ...]`,
	`[v, a, e!=eni_*, ...]`,
	`[v, a, e, s=%^10\.0\.2\.[12]%, ...]`,
	`[v, a, e, s, d=%:%, ...]`,
	`[..., action!=%^A%, status]`,
	`[..., start>=1700001800 && start<1700003000, end, action, status]`,
	`[..., start, end=17000036*, action, status]`,
	`[..., start, end, action, status=-]`,
	`[v, a, e, s, d, sp=*, ...]`,
	`[v, a, e, s, d, sp=-, ...]`,
	`[v, a, e, s, d, sp=ssh, ...]`,
	`[..., action=1, status]`,
	`[..., action!=1, status]`,
	`[..., action<1, status]`,
	`[..., action=reject, status]`,
	`[v, a, e, s=10.0.2.1 || s=2001:db8::1, ...]`,
	`[v, a, e, s, d=172.31.*.1*, ...]`,
	`[v, a, e, s, d, sp, dp, pr, pk, by, st, en, ac, ls]`,
	`[v, a, e, s, d, sp, dp, pr, pk, by, st, en, ac, ls, ...]`,
	`[v, a, e, s, d, sp, dp, pr, pk, by, st, en, ac, ls, extra, ...]`,
	`REJECT`,
	`"REJECT OK"`,
	`?NODATA ?SKIPDATA`,
	`ACCEPT -" 443 "`,
	`- REJECT`,
	`"10.0.2."`,
	`eni-0 ?REJECT`,
	`?ACCEPT " 22 " ?REJECT " 443 "`,
	`%10\.0\.2\.1[0-9]\s%`,
	`-%^2\sunknown%`,
	`"-"`,
	`" - - "`,
	`%OK$%`,
	`18446744073709551615`,
	`"_%"`,
}

// Hand-written patterns over customFormat (version vpc-id subnet-id
// instance-id interface-id account-id type srcaddr dstaddr srcport dstport
// pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags
// log-status flow-direction traffic-path).
var customPatterns = []string{
	`[..., flags=18 || flags=2, status, direction=ingress, path]`,
	`[..., flags>=16, status=OK, direction, path<3]`,
	`[v=5, vpc=vpc-*, subnet, instance!=-, ...]`,
	`[v, vpc, subnet, instance, eni, account, type=IPv6, ...]`,
	`[v, vpc, subnet, instance, eni, account, type!=IPv4 && type!=IPv6, ...]`,
	`[v, vpc, subnet, instance, eni, account, type, src, dst, sp, dp, pktsrc=10.*, pktdst, ...]`,
	`[..., direction=egress, path=8]`,
	`[..., direction=Egress, path]`,
	`[..., action=REJECT, flags=*, status, direction, path]`,
	`[..., type=IPv4, ..., action=ACCEPT, ...]`,
	`egress -IPv6`,
	`?ingress ?"SKIPDATA"`,
	`"vpc-0001 sub"`,
}

// randomPattern builds a random pattern for records of format f, with
// values taken from the texts of sample records so that they match
// sometimes. Every pattern it builds parses.
func randomPattern(rng *rand.Rand, f *parse.Format, samples []flowlog.Record) string {
	n := len(f.Fields)
	text := func(col int) string {
		r := &samples[rng.Intn(len(samples))]
		return string(flowlog.AppendText(nil, r, f.Fields[col]))
	}
	if rng.Intn(6) == 0 {
		var terms []string
		for i := 0; i < 1+rng.Intn(3); i++ {
			t := text(rng.Intn(n))
			if rng.Intn(3) == 0 {
				t = t[:rng.Intn(len(t))+1]
			}
			if rng.Intn(4) == 0 {
				t = t + " " + text(rng.Intn(n))
			}
			w := Value{Text: t}
			var b strings.Builder
			b.WriteString([]string{"", "", "?", "-"}[rng.Intn(4)])
			writeValue(&b, w, bareTerm)
			terms = append(terms, b.String())
		}
		return strings.Join(terms, " ")
	}
	cond := func(label string, col int) string {
		var alts []string
		for i := 0; i < 1+rng.Intn(2); i++ {
			var conj []string
			for j := 0; j < 1+rng.Intn(2); j++ {
				conj = append(conj, label+randomCmp(rng, text(col)))
			}
			alts = append(alts, strings.Join(conj, " && "))
		}
		return strings.Join(alts, " || ")
	}
	var elems []string
	label := 0
	add := func(col int) {
		label++
		l := "f" + strconv.Itoa(label)
		if col >= 0 && rng.Intn(3) == 0 {
			elems = append(elems, cond(l, col))
		} else {
			elems = append(elems, l)
		}
	}
	switch rng.Intn(4) {
	case 0: // every field
		for i := 0; i < n; i++ {
			add(i)
		}
	case 1, 2: // head ... tail
		head := rng.Intn(4)
		tail := rng.Intn(4)
		for i := 0; i < head; i++ {
			add(i)
		}
		elems = append(elems, "...")
		for i := n - tail; i < n; i++ {
			add(i)
		}
	default: // ... floating ...
		add(-1)
		elems = append(elems, "...")
		col := rng.Intn(n)
		for i := 0; i < 1+rng.Intn(2) && col+i < n; i++ {
			label++
			elems = append(elems, cond("f"+strconv.Itoa(label), col+i))
		}
		elems = append(elems, "...")
	}
	return "[" + strings.Join(elems, ", ") + "]"
}

// randomCmp returns an operator and a value derived from the text of a
// field: equal, different, wildcard, regex or numeric comparisons.
func randomCmp(rng *rand.Rand, text string) string {
	quote := func(s string) string {
		var b strings.Builder
		writeValue(&b, Value{Text: s}, bareValue)
		return b.String()
	}
	if n, err := strconv.ParseUint(text, 10, 64); err == nil && rng.Intn(2) == 0 {
		op := []string{"<", "<=", ">", ">=", "=", "!="}[rng.Intn(6)]
		switch rng.Intn(3) {
		case 0:
			n++
		case 1:
			n--
		}
		return op + strconv.FormatUint(n, 10)
	}
	switch rng.Intn(6) {
	case 0:
		return "!=" + quote(text)
	case 1:
		if len(text) > 1 {
			return "=" + quote(text[:rng.Intn(len(text))]+"*")
		}
	case 2:
		if len(text) > 1 {
			return "=" + quote("*"+text[rng.Intn(len(text)):])
		}
	case 3:
		re := strings.NewReplacer(".", `\.`).Replace(text[:1+rng.Intn(len(text))])
		return []string{"=", "!="}[rng.Intn(2)] + "%^" + re + "%"
	case 4:
		return "=-"
	}
	return "=" + quote(text)
}
