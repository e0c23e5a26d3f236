package embedded

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// This file is a small, fast Parquet writer for the flat schemas of the
// store: optional columns of unsigned/signed integers (PLAIN) and strings
// (dictionary encoded, the caller supplies the indices), one compressed data
// page per column chunk, min/max statistics. The columnar staging of
// the appenders maps onto it without per-value conversion; parquet-go's
// generic writers cost several times more per record.

// pqType is the stored type of a column.
type pqType uint8

const (
	pqU8     pqType = iota + 1 // INT32 + INT(8,false): UTINYINT
	pqU16                      // INT32 + INT(16,false): USMALLINT
	pqU32                      // INT32 + INT(32,false): UINTEGER
	pqU64                      // INT64 + INT(64,false): UBIGINT
	pqI64                      // INT64: BIGINT
	pqString                   // BYTE_ARRAY + STRING: VARCHAR
)

// sqlType returns the DuckDB type of the column.
func (t pqType) sqlType() string {
	return [...]string{"", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "BIGINT", "VARCHAR"}[t]
}

type pqColumn struct {
	Name string
	Type pqType
}

// pqChunk is the data of one column in one row group. Valid has one entry
// per row (nil: every row is valid). The values of the valid rows, in row
// order, are in Ints (integer types) or are indices (Idx) into Dict
// (strings) or IntDict (integers already dictionary encoded by the caller).
type pqChunk struct {
	Valid   []bool
	Ints    []uint64
	Idx     []uint32
	Dict    []string
	IntDict []uint64
}

// encodedChunk is an encoded column chunk with offsets relative to its start.
type encodedChunk struct {
	data       []byte
	meta       format.ColumnMetaData
	dictOffset int64 // -1: no dictionary page
	dataOffset int64
}

var compactProtocol thrift.CompactProtocol

func (t pqType) physical() format.Type {
	switch t {
	case pqU64, pqI64:
		return format.Int64
	case pqString:
		return format.ByteArray
	}
	return format.Int32
}

func schemaElement(c pqColumn) format.SchemaElement {
	e := format.SchemaElement{
		Type:           thrift.New(c.Type.physical()),
		RepetitionType: thrift.New(format.Optional),
		Name:           c.Name,
	}
	intType := func(w int8, signed bool, ct deprecated.ConvertedType) {
		e.ConvertedType = thrift.New(ct)
		e.LogicalType = format.LogicalType{Value: &format.IntType{BitWidth: w, IsSigned: signed}}
	}
	switch c.Type {
	case pqU8:
		intType(8, false, deprecated.Uint8)
	case pqU16:
		intType(16, false, deprecated.Uint16)
	case pqU32:
		intType(32, false, deprecated.Uint32)
	case pqU64:
		intType(64, false, deprecated.Uint64)
	case pqI64:
		intType(64, true, deprecated.Int64)
	case pqString:
		e.ConvertedType = thrift.New(deprecated.UTF8)
		e.LogicalType = format.LogicalType{Value: &format.StringType{}}
	}
	return e
}

// writePage appends a compressed page and its header to out.data.
func writePage(out *encodedChunk, hdr *format.PageHeader, body []byte, enc codec, sc *scratch) error {
	comp := enc.encode(sc.comp, body)
	sc.comp = comp
	hdr.UncompressedPageSize = int32(len(body))
	hdr.CompressedPageSize = int32(len(comp))
	h, err := thrift.Marshal(&compactProtocol, hdr)
	if err != nil {
		return fmt.Errorf("parquet page header: %w", err)
	}
	out.meta.TotalUncompressedSize += int64(len(h) + len(body))
	out.data = append(out.data, h...)
	out.data = append(out.data, comp...)
	return nil
}

var bufPool = sync.Pool{New: func() any { return new([]byte) }}

func getBuf() []byte { return (*bufPool.Get().(*[]byte))[:0] }

// release returns the chunk's buffer to the pool.
func (c *encodedChunk) release() {
	b := c.data[:0]
	c.data = nil
	bufPool.Put(&b)
}

// pqFile writes one Parquet file.
type pqFile struct {
	f      *os.File
	w      *bufio.Writer
	off    int64
	cols   []pqColumn
	groups []format.RowGroup
	rows   int64
}

func createParquet(path string, cols []pqColumn) (*pqFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	p := &pqFile{f: f, w: bufio.NewWriterSize(f, 1<<20), cols: cols}
	if _, err := p.w.WriteString("PAR1"); err != nil {
		f.Close()
		return nil, err
	}
	p.off = 4
	return p, nil
}

// writeRowGroup writes n rows given as encoded column chunks (one per
// column, in column order).
func (p *pqFile) writeRowGroup(n int, chunks []*encodedChunk) error {
	rg := format.RowGroup{NumRows: int64(n), FileOffset: p.off, Ordinal: int16(len(p.groups))}
	for _, ch := range chunks {
		base := p.off
		if _, err := p.w.Write(ch.data); err != nil {
			return err
		}
		p.off += int64(len(ch.data))
		meta := ch.meta
		meta.DataPageOffset = base + ch.dataOffset
		if ch.dictOffset >= 0 {
			meta.DictionaryPageOffset = base + ch.dictOffset
		}
		rg.TotalByteSize += meta.TotalUncompressedSize
		rg.TotalCompressedSize += meta.TotalCompressedSize
		rg.Columns = append(rg.Columns, format.ColumnChunk{FileOffset: base, MetaData: meta})
		ch.release()
	}
	p.groups = append(p.groups, rg)
	p.rows += int64(n)
	return nil
}

// close writes the footer, syncs (when sync is set) and closes the file. It
// returns the file size.
func (p *pqFile) close(kv map[string]string, sync bool) (int64, error) {
	defer p.f.Close()
	schema := []format.SchemaElement{{Name: "flowlens", NumChildren: thrift.New(int32(len(p.cols)))}}
	orders := make([]format.ColumnOrder, len(p.cols))
	for i, c := range p.cols {
		schema = append(schema, schemaElement(c))
		orders[i] = format.ColumnOrder{Value: &format.TypeDefinedOrder{}}
	}
	md := format.FileMetaData{Version: 1, Schema: schema, NumRows: p.rows, RowGroups: p.groups,
		CreatedBy: "flowlens", ColumnOrders: orders}
	for k, v := range kv {
		md.KeyValueMetadata = append(md.KeyValueMetadata, format.KeyValue{Key: k, Value: v})
	}
	foot, err := thrift.Marshal(&compactProtocol, &md)
	if err != nil {
		return 0, fmt.Errorf("parquet footer: %w", err)
	}
	var tail bytes.Buffer
	tail.Write(foot)
	tail.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(foot))))
	tail.WriteString("PAR1")
	if _, err := p.w.Write(tail.Bytes()); err != nil {
		return 0, err
	}
	if err := p.w.Flush(); err != nil {
		return 0, err
	}
	if sync {
		if err := p.f.Sync(); err != nil {
			return 0, err
		}
	}
	return p.off + int64(tail.Len()), p.f.Close()
}

// abort closes and removes an unfinished file.
func (p *pqFile) abort() {
	p.f.Close()
	os.Remove(p.f.Name())
}

// appendHybrid appends the RLE/bit-packing hybrid encoding of vs (each <
// 2^bw): runs of at least 8 equal values that start on a group boundary
// are RLE runs, everything else is bit-packed. buf is unused (kept for the
// callers' scratch space).
func appendHybrid(dst []byte, vs []uint32, bw int, _ *[]uint32) []byte {
	n, start, i := len(vs), 0, 0
	for i+8 <= n {
		v := vs[i]
		if vs[i+7] != v || vs[i+1] != v || vs[i+2] != v || vs[i+3] != v || vs[i+4] != v || vs[i+5] != v || vs[i+6] != v {
			i += 8
			continue
		}
		j := i + 8
		for j < n && vs[j] == v {
			j++
		}
		dst = appendBitPacked(dst, vs[start:i], bw)
		dst = appendRLE(dst, j-i, v, bw)
		i, start = j, j
	}
	return appendBitPacked(dst, vs[start:], bw)
}

func appendRLE(dst []byte, count int, v uint32, bw int) []byte {
	dst = binary.AppendUvarint(dst, uint64(count)<<1)
	for b := 0; b < (bw+7)/8; b++ {
		dst = append(dst, byte(v>>(8*b)))
	}
	return dst
}

// appendBitPacked appends vs as bit-packed groups of 8 (the last one padded
// with zeros).
func appendBitPacked(dst []byte, vs []uint32, bw int) []byte {
	if len(vs) == 0 {
		return dst
	}
	groups := (len(vs) + 7) / 8
	dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
	off, total := len(dst), groups*bw
	dst = slices.Grow(dst, total)[:off+total]
	out := dst[off:]
	clear(out)
	var acc uint64
	nbits, o := 0, 0
	for _, v := range vs {
		acc |= uint64(v) << nbits
		nbits += bw
		if nbits >= 32 {
			binary.LittleEndian.PutUint32(out[o:], uint32(acc))
			o += 4
			acc >>= 32
			nbits -= 32
		}
	}
	for nbits > 0 {
		out[o] = byte(acc)
		o++
		acc >>= 8
		nbits -= 8
	}
	return dst
}
