package filestats

import (
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
)

// Table names, the keys of `flowlens stats -o json` and the "table" values
// of -o jsonl.
const (
	TableSummary   = "summary"
	TableVersions  = "by_version"
	TableStatuses  = "by_log_status"
	TableActions   = "by_action"
	TableMalformed = "malformed"
	TableErrors    = "errors"
)

// Tables returns the output of `flowlens stats`, in order:
//
//   - summary (one row): records, lines, header and blank lines, malformed
//     lines, bytes read, elapsed time, records/s and bytes/s, the time
//     range and its span, distinct interfaces and addresses, and the packets and bytes
//     the records describe;
//   - by_version, by_log_status, by_action: records and share per value
//     (null for records without the field);
//   - malformed: lines per reason (only reasons that occurred);
//   - errors: the malformed lines kept in ps.Errors, with source and line.
//
// The rates are nil when elapsed is not positive.
func (r Result) Tables(ps parse.Stats, elapsed time.Duration) []*render.Table {
	return []*render.Table{
		r.summary(ps, elapsed),
		r.versionTable(),
		r.statusTable(),
		r.actionTable(),
		malformedTable(ps),
		errorsTable(ps),
	}
}

func (r Result) summary(ps parse.Stats, elapsed time.Duration) *render.Table {
	var recRate, byteRate, first, last, span any
	if s := elapsed.Seconds(); s > 0 {
		recRate = float64(r.Records) / s
		byteRate = float64(ps.Bytes) / s
	}
	if r.HasStart {
		first = r.FirstStart
	}
	if r.HasEnd {
		last = r.LastEnd
	}
	if r.HasStart && r.HasEnd && r.LastEnd >= r.FirstStart {
		span = time.Duration(r.LastEnd-r.FirstStart) * time.Second
	}
	return &render.Table{
		Name: TableSummary, Title: "Summary", Vertical: true,
		Columns: []render.Column{
			{Name: "records", Kind: render.KindInt},
			{Name: "lines", Kind: render.KindInt},
			{Name: "header_lines", Title: "header lines", Kind: render.KindInt},
			{Name: "blank_lines", Title: "blank lines", Kind: render.KindInt},
			{Name: "malformed_lines", Title: "malformed lines", Kind: render.KindInt},
			{Name: "bytes_read", Title: "bytes read", Kind: render.KindBytes},
			{Name: "elapsed", Kind: render.KindDuration},
			{Name: "records_per_second", Title: "records/s", Kind: render.KindFloat},
			{Name: "bytes_per_second", Title: "read rate", Kind: render.KindBytesPerSecond},
			{Name: "first_start", Title: "first start", Kind: render.KindTime},
			{Name: "last_end", Title: "last end", Kind: render.KindTime},
			{Name: "time_span", Title: "time span", Kind: render.KindDuration},
			{Name: "interfaces", Title: "distinct interfaces", Kind: render.KindInt},
			{Name: "srcaddrs", Title: "distinct srcaddr", Kind: render.KindInt},
			{Name: "dstaddrs", Title: "distinct dstaddr", Kind: render.KindInt},
			{Name: "flow_packets", Title: "flow packets", Kind: render.KindInt},
			{Name: "flow_bytes", Title: "flow bytes", Kind: render.KindBytes},
		},
		Rows: [][]any{{
			r.Records, ps.Lines, ps.Headers, ps.Blank, ps.MalformedTotal(), ps.Bytes,
			elapsed, recRate, byteRate, first, last, span,
			r.Interfaces, r.SrcAddrs, r.DstAddrs, r.Packets, r.Bytes,
		}},
	}
}

// share returns n as a percentage of the records.
func (r Result) share(n uint64) float64 {
	if r.Records == 0 {
		return 0
	}
	return 100 * float64(n) / float64(r.Records)
}

func (r Result) countTable(name, title, key string, keyKind render.Kind) *render.Table {
	return &render.Table{
		Name: name, Title: title,
		Columns: []render.Column{
			{Name: key, Kind: keyKind},
			{Name: "records", Kind: render.KindInt},
			{Name: "share", Kind: render.KindPercent},
		},
	}
}

func (r Result) addRow(t *render.Table, key any, n uint64) {
	if n > 0 {
		t.Rows = append(t.Rows, []any{key, n, r.share(n)})
	}
}

func (r Result) versionTable() *render.Table {
	t := r.countTable(TableVersions, "Records by version", "version", render.KindID)
	for v, n := range r.Versions {
		r.addRow(t, v, n)
	}
	r.addRow(t, nil, r.NoVersion)
	return t
}

func (r Result) statusTable() *render.Table {
	t := r.countTable(TableStatuses, "Records by log-status", "log_status", render.KindString)
	for s := 1; s < len(r.Statuses); s++ {
		r.addRow(t, flowlog.LogStatus(s).String(), r.Statuses[s])
	}
	r.addRow(t, nil, r.Statuses[0])
	return t
}

func (r Result) actionTable() *render.Table {
	t := r.countTable(TableActions, "Records by action", "action", render.KindString)
	for a := 1; a < len(r.Actions); a++ {
		r.addRow(t, flowlog.Action(a).String(), r.Actions[a])
	}
	r.addRow(t, nil, r.Actions[0])
	return t
}

func malformedTable(ps parse.Stats) *render.Table {
	t := &render.Table{
		Name: TableMalformed, Title: "Malformed lines by reason",
		Columns: []render.Column{
			{Name: "reason"},
			{Name: "lines", Kind: render.KindInt},
		},
	}
	for _, reason := range parse.Reasons() {
		if n := ps.Malformed[reason]; n > 0 {
			t.Rows = append(t.Rows, []any{reason.String(), n})
		}
	}
	return t
}

func errorsTable(ps parse.Stats) *render.Table {
	t := &render.Table{
		Name: TableErrors, Title: "First malformed lines",
		Columns: []render.Column{
			{Name: "source"},
			{Name: "line", Kind: render.KindID},
			{Name: "reason"},
			{Name: "detail"},
			{Name: "snippet"},
		},
	}
	for _, e := range ps.Errors {
		t.Rows = append(t.Rows, []any{e.Source, e.Line, e.Reason.String(), e.Detail, e.Snippet})
	}
	return t
}
