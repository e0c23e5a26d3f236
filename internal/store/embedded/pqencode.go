package embedded

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// Encodings: strings are always dictionary encoded (the caller supplies
// the indices); integers are dictionary encoded when they have few
// distinct values (ports, protocols, sorted start times, address helpers
// that reuse the address dictionary), else PLAIN. Bit-packed dictionary
// indices are much smaller than PLAIN values, which makes compression (the
// most expensive step) cheaper, and DuckDB scans dictionaries fast.

// scratch holds the reusable buffers of one encoding goroutine.
type scratch struct {
	chunk   pqChunk
	pending []uint32 // appendHybrid
	levels  []uint32
	local   []int32 // global dictionary index → chunk index, -1 when unused
	used    []uint32
	idx     []uint32
	dict    []string
	idict   []uint64
	table   []int32 // value → chunk index for values < 65536, -1 when unused
	imap    map[uint64]uint32
	body    []byte
	page    []byte
	comp    []byte
}

// encodeChunk encodes one column chunk of n rows. Calls with distinct
// scratch buffers may run concurrently. The result's data is valid until it
// is released.
func encodeChunk(c pqColumn, ch *pqChunk, n int, enc codec, sc *scratch) (*encodedChunk, error) {
	out := &encodedChunk{dictOffset: -1, data: getBuf()}
	nulls := 0
	for _, v := range ch.Valid {
		if !v {
			nulls++
		}
	}
	body := binary.LittleEndian.AppendUint32(sc.body[:0], 0)
	if nulls > 0 {
		levels := sc.levels[:0]
		for _, v := range ch.Valid {
			if v {
				levels = append(levels, 1)
			} else {
				levels = append(levels, 0)
			}
		}
		sc.levels = levels
		body = appendHybrid(body, levels, 1, &sc.pending)
	} else {
		body = appendRLE(body, n, 1, 1)
	}
	binary.LittleEndian.PutUint32(body, uint32(len(body)-4))
	valid := n - nulls
	stats := format.Statistics{NullCount: int64(nulls)}
	encoding := format.Plain
	var idx []uint32
	switch {
	case c.Type == pqString:
		if len(ch.Idx) != valid {
			return nil, fmt.Errorf("column %s: %d values for %d valid rows", c.Name, len(ch.Idx), valid)
		}
		idx = sc.compact(ch.Idx, len(ch.Dict))
		dict := sc.dict[:0]
		for _, g := range sc.used {
			dict = append(dict, ch.Dict[g])
		}
		sc.dict = dict
		if len(dict) > 0 {
			page := sc.page[:0]
			minS, maxS := dict[0], dict[0]
			for _, s := range dict {
				page = binary.LittleEndian.AppendUint32(page, uint32(len(s)))
				page = append(page, s...)
				minS, maxS = min(minS, s), max(maxS, s)
			}
			sc.page = page
			stats.MinValue, stats.MaxValue = []byte(minS), []byte(maxS)
		}
	case ch.IntDict != nil:
		if len(ch.Idx) != valid {
			return nil, fmt.Errorf("column %s: %d values for %d valid rows", c.Name, len(ch.Idx), valid)
		}
		idx = sc.compact(ch.Idx, len(ch.IntDict))
		dict := sc.idict[:0]
		for _, g := range sc.used {
			dict = append(dict, ch.IntDict[g])
		}
		sc.idict = dict
		if len(dict) > 0 {
			sc.page, stats.MinValue, stats.MaxValue = appendPlainInts(sc.page[:0], c.Type, dict)
		}
	default:
		if len(ch.Ints) != valid {
			return nil, fmt.Errorf("column %s: %d values for %d valid rows", c.Name, len(ch.Ints), valid)
		}
		if dict, ix, ok := sc.intDict(ch.Ints, c.Type); ok {
			idx = ix
			sc.page, stats.MinValue, stats.MaxValue = appendPlainInts(sc.page[:0], c.Type, dict)
		} else if valid > 0 {
			body, stats.MinValue, stats.MaxValue = appendPlainInts(body, c.Type, ch.Ints)
		}
	}
	if idx != nil && valid > 0 {
		ndict := len(sc.used)
		if c.Type != pqString && ch.IntDict == nil {
			ndict = len(sc.idict)
		}
		hdr := format.PageHeader{Type: format.DictionaryPage,
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: int32(ndict), Encoding: format.Plain})}
		out.dictOffset = 0
		if err := writePage(out, &hdr, sc.page, enc, sc); err != nil {
			return nil, err
		}
		encoding = format.RLEDictionary
		bw := max(1, bits.Len32(uint32(ndict-1)))
		body = append(body, byte(bw))
		body = appendHybrid(body, idx, bw, &sc.pending)
	}
	sc.body = body
	out.dataOffset = int64(len(out.data))
	hdr := format.PageHeader{Type: format.DataPage, DataPageHeader: thrift.New(format.DataPageHeader{
		NumValues: int32(n), Encoding: encoding,
		DefinitionLevelEncoding: format.RLE, RepetitionLevelEncoding: format.RLE,
	})}
	if err := writePage(out, &hdr, body, enc, sc); err != nil {
		return nil, err
	}
	encodings := []format.Encoding{format.RLE, encoding}
	if encoding == format.RLEDictionary {
		encodings = append(encodings, format.Plain)
	}
	out.meta = format.ColumnMetaData{
		Type: c.Type.physical(), Encoding: encodings, PathInSchema: []string{c.Name},
		Codec: enc.id(), NumValues: int64(n), Statistics: stats,
		TotalCompressedSize:   int64(len(out.data)),
		TotalUncompressedSize: out.meta.TotalUncompressedSize,
	}
	return out, nil
}

// compact maps indices into a global dictionary of size n to indices into
// the dictionary of the entries used (sc.used, in order of first use).
func (sc *scratch) compact(global []uint32, n int) []uint32 {
	for len(sc.local) < n {
		sc.local = append(sc.local, -1)
	}
	local, used, idx := sc.local, sc.used[:0], sc.idx[:0]
	for _, g := range global {
		l := local[g]
		if l < 0 {
			l = int32(len(used))
			local[g] = l
			used = append(used, g)
		}
		idx = append(idx, uint32(l))
	}
	for _, g := range used {
		local[g] = -1
	}
	sc.used, sc.idx = used, idx
	return idx
}

// intDict dictionary-encodes vals when that pays: the dictionary is at most
// a quarter of the values. The dictionary is left in sc.idict.
func (sc *scratch) intDict(vals []uint64, t pqType) ([]uint64, []uint32, bool) {
	n := len(vals)
	if n < 64 {
		return nil, nil, false
	}
	limit := n / 4
	dict, idx := sc.idict[:0], sc.idx[:0]
	defer func() { sc.idict, sc.idx = dict, idx }()
	less := func(a, b uint64) bool { return a < b }
	if t == pqI64 {
		less = func(a, b uint64) bool { return int64(a) < int64(b) }
	}
	// Sorted values (start times): a new value is never seen before.
	sorted := true
	for i := 1; i < n && sorted; i++ {
		sorted = !less(vals[i], vals[i-1])
	}
	if sorted {
		for i, v := range vals {
			if i == 0 || v != vals[i-1] {
				if len(dict) == limit {
					return nil, nil, false
				}
				dict = append(dict, v)
			}
			idx = append(idx, uint32(len(dict)-1))
		}
		return dict, idx, true
	}
	if t == pqU8 || t == pqU16 {
		if sc.table == nil {
			sc.table = make([]int32, 1<<16)
			for i := range sc.table {
				sc.table[i] = -1
			}
		}
		ok := true
		for _, v := range vals {
			l := sc.table[v]
			if l < 0 {
				l = int32(len(dict))
				sc.table[v] = l
				dict = append(dict, v)
			}
			idx = append(idx, uint32(l))
		}
		for _, v := range dict {
			sc.table[v] = -1
		}
		if len(dict) > limit {
			ok = false
		}
		return dict, idx, ok
	}
	// Other values: give up early on high cardinality (bytes, ports).
	if sc.imap == nil {
		sc.imap = make(map[uint64]uint32, 1024)
	}
	defer clear(sc.imap)
	for i, v := range vals {
		l, found := sc.imap[v]
		if !found {
			if len(dict) == limit || (i == 256 && len(dict) > 64) {
				return nil, nil, false
			}
			l = uint32(len(dict))
			sc.imap[v] = l
			dict = append(dict, v)
		}
		idx = append(idx, l)
	}
	return dict, idx, true
}

// appendPlainInts appends the PLAIN encoding of vs and returns the encoded
// min and max (unsigned order, signed for pqI64).
func appendPlainInts(dst []byte, t pqType, vs []uint64) ([]byte, []byte, []byte) {
	lo, hi := vs[0], vs[0]
	if t == pqI64 {
		for _, v := range vs {
			if int64(v) < int64(lo) {
				lo = v
			}
			if int64(v) > int64(hi) {
				hi = v
			}
		}
	} else {
		for _, v := range vs {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if t.physical() == format.Int64 {
		dst = growBytes(dst, 8*len(vs))
		for _, v := range vs {
			dst = binary.LittleEndian.AppendUint64(dst, v)
		}
		return dst, binary.LittleEndian.AppendUint64(nil, lo), binary.LittleEndian.AppendUint64(nil, hi)
	}
	dst = growBytes(dst, 4*len(vs))
	for _, v := range vs {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
	}
	return dst, binary.LittleEndian.AppendUint32(nil, uint32(lo)), binary.LittleEndian.AppendUint32(nil, uint32(hi))
}

func growBytes(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}
