// Package parquet reads and writes flow logs in the Apache Parquet layout of
// AWS's S3 delivery (*.log.parquet): one optional column per field, named
// with the AWS field name spelled with underscores (account_id, log_status),
// INT_32 for the 8- and 16-bit numbers (version, ports, protocol, tcp_flags,
// traffic_path), INT_64 for packets, bytes, start and end, and STRING for
// everything else. A null is an absent field.
package parquet

import (
	"strings"

	pq "github.com/parquet-go/parquet-go"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// columnName returns the Parquet column name of column i of f: the AWS name
// with '-' replaced by '_'.
func columnName(f *parse.Format, i int) string {
	if id := f.Fields[i]; id != flowlog.FieldInvalid {
		return id.Column()
	}
	return strings.ReplaceAll(f.Names[i], "-", "_")
}

// physical is the Parquet storage of a field in AWS's schema.
type physical uint8

const (
	physString physical = iota
	physInt32
	physInt64
)

// physicalOf returns how AWS stores field id (FieldInvalid: unknown fields
// are strings).
func physicalOf(id flowlog.FieldID) physical {
	if id == flowlog.FieldInvalid {
		return physString
	}
	switch id.Kind() {
	case flowlog.KindUint8, flowlog.KindUint16:
		return physInt32
	case flowlog.KindUint64, flowlog.KindTime:
		return physInt64
	}
	return physString
}

func nodeOf(p physical) pq.Node {
	switch p {
	case physInt32:
		return pq.Optional(pq.Int(32))
	case physInt64:
		return pq.Optional(pq.Int(64))
	}
	return pq.Optional(pq.String())
}

// Schema returns the Parquet schema AWS uses for the columns of f, in the
// order of f (a plain parquet.Group would sort them by name).
func Schema(f *parse.Format) *pq.Schema {
	g := make(pq.Group, f.Len())
	order := make([]string, f.Len())
	for i, id := range f.Fields {
		name := columnName(f, i)
		g[name] = nodeOf(physicalOf(id))
		order[i] = name
	}
	return pq.NewSchema("flowlogs", newOrderedGroup(g, order))
}

// orderedGroup is a group whose fields come in a given order.
type orderedGroup struct {
	pq.Group
	fields []pq.Field
}

func newOrderedGroup(g pq.Group, order []string) orderedGroup {
	byName := make(map[string]pq.Field, len(g))
	for _, f := range g.Fields() {
		byName[f.Name()] = f
	}
	fields := make([]pq.Field, len(order))
	for i, name := range order {
		fields[i] = byName[name]
	}
	return orderedGroup{Group: g, fields: fields}
}

// Fields returns the fields in order. The slice must not be modified.
func (g orderedGroup) Fields() []pq.Field { return g.fields }
