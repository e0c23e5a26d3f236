package memory

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// randomRecords returns records whose fields are present at random, so
// that presence bitmaps have every pattern, with values of every storage.
func randomRecords(rng *rand.Rand, n int) []flowlog.Record {
	fields := []flowlog.FieldID{flowlog.FieldVersion, flowlog.FieldDstPort, flowlog.FieldBytes, flowlog.FieldStart,
		flowlog.FieldAccountID, flowlog.FieldSrcAddr, flowlog.FieldAction, flowlog.FieldVPCID}
	out := make([]flowlog.Record, n)
	for i := range out {
		r := &out[i]
		density := rng.IntN(4) // some runs of mostly absent, mostly present
		for _, f := range fields {
			if rng.IntN(4) > density {
				continue
			}
			switch f.Kind() {
			case flowlog.KindString:
				*r.StringPtr(f) = fmt.Sprintf("s%d", rng.IntN(50))
				r.Present.Add(f)
			case flowlog.KindAddr:
				a := netip.AddrFrom4([4]byte{10, 0, byte(rng.IntN(4)), byte(rng.IntN(256))})
				if rng.IntN(3) == 0 {
					a = netip.AddrFrom16([16]byte{0x26, 0, 15: byte(rng.IntN(256))})
				}
				*r.AddrPtr(f) = a
				r.Present.Add(f)
			case flowlog.KindTime:
				r.SetUint(f, uint64(1714521600+rng.IntN(86400*3)))
			default:
				r.SetUint(f, rng.Uint64N(flowlog.MaxUint(f)))
			}
		}
	}
	return out
}

// text returns field f of row r of c as flowlog.AppendText would.
func text(st *state, c *chunk, f flowlog.FieldID, r int32) string {
	col := c.cols[f]
	if col == nil || !col.has(r) {
		return "-"
	}
	switch storageOf(f) {
	case stStr:
		return st.strs[col.ids[r]]
	case stAddr:
		return st.addrs[col.ids[r]].addr().String()
	}
	var rec flowlog.Record
	rec.SetUint(f, value(storageOf(f), col, r))
	return rec.Text(f)
}

// rows returns the rows of chunks as text lines of every field.
func rows(st *state, chunks []*chunk) []string {
	var out []string
	for _, c := range chunks {
		for r := int32(0); r < int32(c.n); r++ {
			var b strings.Builder
			for _, f := range flowlog.Fields() {
				b.WriteString(text(st, c, f.ID, r))
				b.WriteByte(' ')
			}
			out = append(out, b.String())
		}
	}
	return out
}

func lines(recs []flowlog.Record) []string {
	var out []string
	for i := range recs {
		var b strings.Builder
		for _, f := range flowlog.Fields() {
			b.WriteString(recs[i].Text(f.ID))
			b.WriteByte(' ')
		}
		out = append(out, b.String())
	}
	return out
}

func equalRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: row %d is\n%s\nwant\n%s", what, i, got[i], want[i])
		}
	}
}

// TestBuilder appends records to shards in pieces of random sizes, seals
// them, coalesces the chunks and selects rows, checking every value and
// presence bit on the way.
func TestBuilder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		recs := randomRecords(rng, 1+rng.IntN(3000))
		d := newDicts()
		limit := 64 * (1 + rng.IntN(20))
		b := newShard(limit)
		var chunks []*chunk
		for i := range recs {
			if b.n >= limit || rng.IntN(200) == 0 {
				chunks = append(chunks, b.seal(d))
			}
			b.appendRecord(&recs[i])
		}
		if b.n > 0 {
			chunks = append(chunks, b.seal(d))
		}
		st := &state{}
		st.strs, st.addrs, _ = d.view()
		want := lines(recs)
		equalRows(t, "sealed", rows(st, chunks), want)
		for _, c := range chunks {
			if c.n > limit {
				t.Fatalf("chunk of %d rows, limit %d", c.n, limit)
			}
		}
		// Coalescing keeps the rows, not their order.
		merged := coalesce(chunks, limit)
		got := rows(st, merged)
		sorted := slices.Clone(want)
		slices.Sort(sorted)
		equalRows(t, "coalesced", slices.Sorted(slices.Values(got)), sorted)
		// Rows selected at random, as pruning selects them.
		var kept []string
		var out []*chunk
		i := 0
		for _, c := range merged {
			var sel []int32
			for r := 0; r < c.n; r++ {
				if rng.IntN(2) == 0 {
					sel = append(sel, int32(r))
					kept = append(kept, got[i])
				}
				i++
			}
			nb := &builder{}
			nb.appendRows(c, sel)
			out = append(out, nb.finish())
		}
		equalRows(t, "selected", rows(st, out), kept)
	}
}

func TestCopyBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 500; round++ {
		n, at := rng.IntN(300), rng.IntN(200)
		src := make([]uint64, (n+63)/64)
		for i := range src {
			src[i] = rng.Uint64()
		}
		if rng.IntN(5) == 0 {
			src = nil // every bit set
		}
		dst := make([]uint64, (at+n+63)/64+1)
		zeros := copyBits(dst, at, src, n)
		wantZeros := 0
		for i := 0; i < at+n+64; i++ {
			got := i/64 < len(dst) && dst[i/64]&(1<<(i%64)) != 0
			want := false
			if i >= at && i < at+n {
				j := i - at
				want = src == nil || src[j/64]&(1<<(j%64)) != 0
				if !want {
					wantZeros++
				}
			}
			if got != want {
				t.Fatalf("n=%d at=%d: bit %d is %v, want %v", n, at, i, got, want)
			}
		}
		if zeros != wantZeros {
			t.Fatalf("n=%d at=%d: %d zeros, want %d", n, at, zeros, wantZeros)
		}
	}
}

func TestTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tb := newTable()
	want := map[uint64]int32{}
	for i := 0; i < 100_000; i++ {
		k := rng.Uint64N(30_000) << (rng.IntN(3) * 20) // clustered and spread keys, 0 included
		v, ok := tb.getOrPut(k, int32(len(want)))
		w, wok := want[k]
		if !wok {
			w = int32(len(want))
			want[k] = w
		}
		if ok != wok || v != w {
			t.Fatalf("key %d: (%d, %v), want (%d, %v)", k, v, ok, w, wok)
		}
	}
	if tb.n != len(want) {
		t.Fatalf("%d entries, want %d", tb.n, len(want))
	}
}
