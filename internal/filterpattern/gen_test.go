package filterpattern

import (
	"fmt"
	"math"
	"math/rand"
	"net/netip"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// customFormat is a version 5 custom format that exercises every kind of
// field: strings, all integer widths, times, addresses and every enum.
const customFormat = "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status} ${flow-direction} ${traffic-path}"

func mustFormat(t testing.TB, s string) *parse.Format {
	t.Helper()
	f, err := parse.ParseFormat(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// genRecords builds n records of format f from a seeded generator, with
// values drawn from small pools so that patterns find matches, absent
// fields, NODATA records, IPv6 addresses, account "unknown", and integers
// at the edges of their ranges.
func genRecords(f *parse.Format, seed int64, n int) []flowlog.Record {
	rng := rand.New(rand.NewSource(seed))
	pick := func(xs ...string) string { return xs[rng.Intn(len(xs))] }
	addr := func() netip.Addr {
		switch rng.Intn(5) {
		case 0:
			return netip.AddrFrom4([4]byte{10, 0, 2, byte(rng.Intn(30))})
		case 1:
			return netip.AddrFrom4([4]byte{10, 0, byte(rng.Intn(25)), byte(rng.Intn(255))})
		case 2:
			return netip.AddrFrom4([4]byte{172, 31, byte(rng.Intn(3)), byte(1 + rng.Intn(100))})
		case 3:
			return netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", rng.Intn(20)))
		}
		return netip.AddrFrom4([4]byte{byte(1 + rng.Intn(220)), byte(rng.Intn(255)), byte(rng.Intn(255)), byte(rng.Intn(255))})
	}
	port := func() uint64 {
		switch rng.Intn(6) {
		case 0:
			return 22
		case 1:
			return 443
		case 2:
			return uint64(4000 + rng.Intn(1000))
		case 3:
			return uint64(rng.Intn(1024))
		case 4:
			return 65535
		}
		return uint64(rng.Intn(65536))
	}
	big := func() uint64 {
		switch rng.Intn(8) {
		case 0:
			return 0
		case 1:
			return math.MaxUint64
		case 2:
			return uint64(1_000_000 + rng.Intn(3))
		case 3:
			return 999_999
		case 4:
			return uint64(rng.Int63())
		}
		return uint64(rng.Intn(5_000_000))
	}
	recs := make([]flowlog.Record, n)
	for i := range recs {
		r := &recs[i]
		nodata := rng.Intn(10) == 0
		for _, id := range f.Fields {
			if id == flowlog.FieldInvalid {
				continue
			}
			// NODATA records have only the interface and times; other
			// records miss a field now and then.
			if nodata && id != flowlog.FieldVersion && id != flowlog.FieldAccountID && id != flowlog.FieldInterfaceID &&
				id != flowlog.FieldStart && id != flowlog.FieldEnd && id != flowlog.FieldLogStatus {
				continue
			}
			if !nodata && rng.Intn(40) == 0 {
				continue
			}
			switch id.Kind() {
			case flowlog.KindString:
				var s string
				switch id {
				case flowlog.FieldAccountID:
					s = pick("123456789012", "123456789010", "unknown", "000000000042")
				case flowlog.FieldInterfaceID:
					s = pick("eni-0a1b2c3d", "eni-1235b8ca123456789", "eni-0f00", "eni_0%x") // the last one exercises LIKE escaping
				default:
					s = fmt.Sprintf("%s-%04x", id.Name()[:3], rng.Intn(6))
				}
				*r.StringPtr(id) = s
				r.Present.Add(id)
			case flowlog.KindAddr:
				*r.AddrPtr(id) = addr()
				r.Present.Add(id)
			case flowlog.KindUint8:
				v := uint64(rng.Intn(3))
				switch id {
				case flowlog.FieldVersion:
					v = uint64(f.Version())
				case flowlog.FieldProtocol:
					v = uint64([]int{6, 17, 1, 6, 58, 255}[rng.Intn(6)])
				case flowlog.FieldTrafficPath:
					v = uint64(1 + rng.Intn(8))
				}
				r.SetUint(id, v)
			case flowlog.KindUint16:
				v := port()
				if id == flowlog.FieldTCPFlags {
					v = uint64([]int{0, 2, 18, 19, 3, 4}[rng.Intn(6)])
				}
				r.SetUint(id, v)
			case flowlog.KindUint64:
				r.SetUint(id, big())
			case flowlog.KindTime:
				t := uint64(1_700_000_000 + rng.Intn(3600))
				if id == flowlog.FieldEnd {
					t += 60
				}
				r.SetUint(id, t)
			case flowlog.KindAction:
				r.SetUint(id, uint64(1+rng.Intn(2)))
			case flowlog.KindLogStatus:
				v := uint64(flowlog.StatusOK)
				if nodata {
					v = uint64(flowlog.StatusNoData)
				} else if rng.Intn(20) == 0 {
					v = uint64(flowlog.StatusSkipData)
				}
				r.SetUint(id, v)
			case flowlog.KindTrafficType:
				r.SetUint(id, uint64(1+rng.Intn(3)))
			case flowlog.KindFlowDirection:
				r.SetUint(id, uint64(1+rng.Intn(2)))
			}
		}
	}
	return recs
}
