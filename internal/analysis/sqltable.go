package analysis

import (
	"fmt"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// ResultTable turns a store result (user SQL, raw flows) into a table for
// every output format. Unknown column types are printed with %v.
func ResultTable(name, title string, res *store.Result) *render.Table {
	t := &render.Table{Name: name, Title: title, Columns: make([]render.Column, len(res.Columns))}
	for i, c := range res.Columns {
		k := render.KindString
		switch c.Type {
		case store.TypeUint, store.TypeInt:
			k = render.KindInt
			if id, ok := flowlog.Lookup(c.Name); ok && id.Kind() != flowlog.KindUint64 {
				k = render.KindID // ports, protocol, epoch seconds: no separators
			}
		case store.TypeFloat:
			k = render.KindFloat
		case store.TypeTime:
			k = render.KindTime
		}
		t.Columns[i] = render.Column{Name: c.Name, Kind: k}
	}
	t.Rows = make([][]any, len(res.Rows))
	for i, row := range res.Rows {
		out := make([]any, len(row))
		for j, v := range row {
			switch res.Columns[j].Type {
			case store.TypeOther, store.TypeBool:
				if v != nil {
					v = fmt.Sprint(v)
				}
			}
			out[j] = v
		}
		t.Rows[i] = out
	}
	return t
}
