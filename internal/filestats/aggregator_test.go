package filestats

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// naive is the reference implementation: plain maps, no cleverness.
func naive(recs []flowlog.Record) Result {
	var res Result
	enis := map[string]bool{}
	src := map[netip.Addr]bool{}
	dst := map[netip.Addr]bool{}
	res.FirstStart, res.LastEnd = math.MaxInt64, math.MinInt64
	for i := range recs {
		r := &recs[i]
		res.Records++
		if r.Has(flowlog.FieldVersion) {
			res.Versions[r.Version]++
		} else {
			res.NoVersion++
		}
		if r.Has(flowlog.FieldLogStatus) {
			res.Statuses[r.Status]++
		} else {
			res.Statuses[0]++
		}
		if r.Has(flowlog.FieldAction) {
			res.Actions[r.Action]++
		} else {
			res.Actions[0]++
		}
		if r.Has(flowlog.FieldPackets) {
			res.Packets += r.Packets
		}
		if r.Has(flowlog.FieldBytes) {
			res.Bytes += r.Bytes
		}
		if r.Has(flowlog.FieldStart) {
			res.HasStart = true
			res.FirstStart = min(res.FirstStart, r.Start)
		}
		if r.Has(flowlog.FieldEnd) {
			res.HasEnd = true
			res.LastEnd = max(res.LastEnd, r.End)
		}
		if r.Has(flowlog.FieldInterfaceID) {
			enis[r.InterfaceID] = true
		}
		if r.Has(flowlog.FieldSrcAddr) && r.SrcAddr.IsValid() {
			src[r.SrcAddr] = true
		}
		if r.Has(flowlog.FieldDstAddr) && r.DstAddr.IsValid() {
			dst[r.DstAddr] = true
		}
	}
	if !res.HasStart {
		res.FirstStart = 0
	}
	if !res.HasEnd {
		res.LastEnd = 0
	}
	res.Interfaces, res.SrcAddrs, res.DstAddrs = len(enis), len(src), len(dst)
	return res
}

// randomRecords returns n records with random presence and values drawn
// from small pools, so that values repeat, including the tricky ones:
// 0.0.0.0, ::, IPv4-mapped IPv6, zoned IPv6, ENI strings that share data
// pointers but differ in length, and equal ENIs with different pointers.
func randomRecords(rng *rand.Rand, n int) []flowlog.Record {
	addrs := []netip.Addr{
		netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("::"),
		netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::ffff:10.0.0.1"),
		netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fe80::1%eth0"),
		netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	}
	for i := 0; i < 300; i++ {
		addrs = append(addrs, netip.AddrFrom4([4]byte{10, byte(rng.IntN(3)), byte(rng.IntN(256)), byte(rng.IntN(256))}))
		var b [16]byte
		b[0], b[1], b[15] = 0x20, 0x01, byte(rng.IntN(256))
		b[7] = byte(rng.IntN(4))
		addrs = append(addrs, netip.AddrFrom16(b))
	}
	base := "eni-0123456789abcdef0"
	enis := []string{"", base[:5], base[:12], base, strings.Clone(base), strings.Clone(base[:12])}
	for i := 0; i < 100; i++ {
		enis = append(enis, "eni-"+strings.Repeat(string(rune('a'+i%26)), 1+i%17))
	}
	recs := make([]flowlog.Record, n)
	for i := range recs {
		r := &recs[i]
		maybe := func(id flowlog.FieldID) bool {
			if rng.IntN(10) == 0 {
				return false
			}
			r.Present.Add(id)
			return true
		}
		if maybe(flowlog.FieldVersion) {
			r.Version = uint8(2 + rng.IntN(10))
		}
		if maybe(flowlog.FieldLogStatus) {
			r.Status = flowlog.LogStatus(1 + rng.IntN(3))
		}
		if maybe(flowlog.FieldAction) {
			r.Action = flowlog.Action(1 + rng.IntN(2))
		}
		if maybe(flowlog.FieldPackets) {
			r.Packets = rng.Uint64N(1000)
		}
		if maybe(flowlog.FieldBytes) {
			r.Bytes = rng.Uint64N(1 << 40)
		}
		if maybe(flowlog.FieldStart) {
			r.Start = 1_600_000_000 + rng.Int64N(1_000_000)
		}
		if maybe(flowlog.FieldEnd) {
			r.End = 1_600_000_000 + rng.Int64N(1_000_000)
		}
		// Slots set without Present must be ignored.
		r.InterfaceID = enis[rng.IntN(len(enis))]
		r.SrcAddr = addrs[rng.IntN(len(addrs))]
		r.DstAddr = addrs[rng.IntN(len(addrs))]
		maybe(flowlog.FieldInterfaceID)
		if rng.IntN(5) > 0 { // NODATA-like records have neither address
			r.Present.Add(flowlog.FieldSrcAddr)
			r.Present.Add(flowlog.FieldDstAddr)
		}
	}
	return recs
}

// feed splits recs into batches dealt at random to the workers, which run
// concurrently.
func feed(t *testing.T, rng *rand.Rand, a *Aggregator, recs []flowlog.Record) {
	t.Helper()
	per := make([][][]flowlog.Record, a.Workers())
	for len(recs) > 0 {
		n := min(len(recs), 1+rng.IntN(300))
		w := rng.IntN(a.Workers())
		per[w] = append(per[w], recs[:n])
		recs = recs[n:]
	}
	var wg sync.WaitGroup
	for w := range per {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range per[w] {
				if err := a.Handle(w, b); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestAggregatorMatchesNaive(t *testing.T) {
	f := func(seed uint64, workers, n int) {
		t.Helper()
		rng := rand.New(rand.NewPCG(seed, 1))
		recs := randomRecords(rng, n)
		a := New(workers)
		feed(t, rng, a, recs[:n/2])
		if got, want := a.Result(), naive(recs[:n/2]); got != want {
			t.Errorf("seed %d, %d workers, first half:\ngot  %+v\nwant %+v", seed, workers, got, want)
		}
		// More batches after a Result, then Result again.
		feed(t, rng, a, recs[n/2:])
		want := naive(recs)
		if got := a.Result(); got != want {
			t.Errorf("seed %d, %d workers:\ngot  %+v\nwant %+v", seed, workers, got, want)
		}
		if got := a.Result(); got != want {
			t.Errorf("seed %d: second Result differs: %+v", seed, got)
		}
		if want.SrcAddrs < 100 || want.Interfaces < 50 || want.Records != uint64(n) {
			t.Fatalf("weak test data: %+v", want)
		}
	}
	f(1, 1, 3000)
	f(2, 2, 5000)
	f(3, 3, 4000)
	f(4, 8, 20000) // enough distinct keys to grow the sets several times
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestAggregatorLargeSets uses enough distinct addresses for the sets to
// grow many times, on several workers.
func TestAggregatorLargeSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	recs := make([]flowlog.Record, 40_000)
	for i := range recs {
		r := &recs[i]
		r.Present = flowlog.SetOf(flowlog.FieldSrcAddr, flowlog.FieldDstAddr)
		r.SrcAddr = netip.AddrFrom4([4]byte{byte(rng.IntN(4)), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		var b [16]byte
		b[0], b[15], b[14] = 0x20, byte(rng.Uint32()), byte(rng.IntN(128))
		r.DstAddr = netip.AddrFrom16(b)
	}
	a := New(2)
	feed(t, rng, a, recs)
	got, want := a.Result(), naive(recs)
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if len(a.accs[0].src.v4.slots) < 1<<15 || len(a.accs[0].dst.v6.slots) < 1<<13 {
		t.Errorf("sets too small: %d and %d slots", len(a.accs[0].src.v4.slots), len(a.accs[0].dst.v6.slots))
	}
}

func TestAggregatorEmpty(t *testing.T) {
	for _, workers := range []int{0, 1, 4} {
		a := New(workers)
		a.Add(0, nil)
		if got := a.Result(); got != (Result{}) {
			t.Errorf("%d workers: %+v, want the zero Result", workers, got)
		}
	}
}

func TestAggregatorAbsentFields(t *testing.T) {
	nodata := flowlog.Record{Version: 2, Status: flowlog.StatusNoData, InterfaceID: "eni-1", Start: 10, End: 70}
	nodata.Present = flowlog.SetOf(flowlog.FieldVersion, flowlog.FieldLogStatus, flowlog.FieldInterfaceID, flowlog.FieldStart, flowlog.FieldEnd)
	// Present but invalid (zero) addresses are not counted either.
	broken := flowlog.Record{}
	broken.Present = flowlog.SetOf(flowlog.FieldSrcAddr, flowlog.FieldDstAddr)
	a := New(1)
	a.Add(0, []flowlog.Record{nodata, nodata, broken})
	got := a.Result()
	want := Result{
		Records: 3, NoVersion: 1, Interfaces: 1,
		FirstStart: 10, LastEnd: 70, HasStart: true, HasEnd: true,
	}
	want.Versions[2] = 2
	want.Statuses[flowlog.StatusNoData] = 2
	want.Statuses[0] = 1
	want.Actions[0] = 3
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestAggregatorBadWorkerPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "worker 2 out of range [0, 2)") {
			t.Errorf("panic %v", r)
		}
	}()
	New(2).Add(2, nil)
}

func TestSetsAgainstMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	s := newAddrSet()
	ref := map[netip.Addr]bool{}
	for i := 0; i < 200000; i++ {
		var a netip.Addr
		switch rng.IntN(3) {
		case 0:
			a = netip.AddrFrom4([4]byte{byte(rng.IntN(2)), 0, byte(rng.IntN(256)), byte(rng.IntN(256))})
		case 1:
			a = netip.AddrFrom16([16]byte{15: byte(rng.IntN(256)), 14: byte(rng.IntN(64))})
		default:
			a = netip.AddrFrom16([16]byte{0: 0x20, 1: 0x01, 8: byte(rng.IntN(256)), 15: byte(rng.IntN(256))})
		}
		s.add(a)
		ref[a] = true
		if i%50000 == 0 && s.len() != len(ref) {
			t.Fatalf("after %d adds: %d, want %d", i+1, s.len(), len(ref))
		}
	}
	if s.len() != len(ref) {
		t.Fatalf("%d, want %d", s.len(), len(ref))
	}
	// Merging a set into an empty one and into itself keeps the count.
	m := newAddrSet()
	m.merge(&s)
	m.merge(&s)
	if m.len() != len(ref) {
		t.Errorf("merged: %d, want %d", m.len(), len(ref))
	}
}

// TestStrSetNotInterned feeds equal strings with fresh data pointers (no
// interning): the pointer table must stay bounded and the count exact.
func TestStrSetNotInterned(t *testing.T) {
	s := newStrSet()
	base := "eni-0123456789abcdef0"
	for i := 0; i < 50_000; i++ {
		v := strings.Clone(base[:10+i%10])
		s.add(v)
		if s.ptrN > 2*len(s.m)+4096 {
			t.Fatalf("pointer table holds %d entries for %d strings", s.ptrN, len(s.m))
		}
	}
	s.add("")
	if s.len() != 11 {
		t.Errorf("%d strings, want 11", s.len())
	}
	if len(s.ptrs) > 1<<14 {
		t.Errorf("pointer table grew to %d slots", len(s.ptrs))
	}
}

// Fields lists every field Add reads: keeping only those in the records
// (as a parser projection does) gives the same Result.
func TestFieldsCoversAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	recs := randomRecords(rng, 4000)
	proj := make([]flowlog.Record, len(recs))
	fields := Fields()
	for i := range recs {
		proj[i] = recs[i]
		for _, f := range flowlog.Fields() {
			if !fields.Has(f.ID) {
				proj[i].Present.Remove(f.ID)
			}
		}
	}
	a, b := New(1), New(1)
	a.Add(0, recs)
	b.Add(0, proj)
	if ra, rb := a.Result(), b.Result(); ra != rb || ra.Records != uint64(len(recs)) || ra.Bytes == 0 || ra.Interfaces == 0 {
		t.Fatalf("projected:\n%+v\nwhole:\n%+v", rb, ra)
	}
	for _, id := range []flowlog.FieldID{flowlog.FieldSrcPort, flowlog.FieldAccountID, flowlog.FieldProtocol} {
		if fields.Has(id) {
			t.Fatalf("Fields has %s, which stats does not print", id.Name())
		}
	}
}
