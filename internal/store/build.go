package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// OutKind says how a result column is decoded from the SQL columns.
type OutKind uint8

const (
	OutTime    OutKind = iota + 1 // epoch seconds → time.Time
	OutField                      // a field value (typed after the field)
	OutPrefix                     // three SQL columns (v4, v6hi, v6lo) → "net/bits"
	OutInt                        // an integer (hour, weekday)
	OutMeasure                    // a measure
)

// OutCol describes one result column of a built query.
type OutCol struct {
	Name    string
	Kind    OutKind
	Dim     Dim
	Measure Measure
	// SQLCols is the number of SQL result columns it reads (3 for OutPrefix).
	SQLCols int
}

// Built is a structured query compiled to SQL.
type Built struct {
	SQL  string
	Args []any
	Out  []OutCol
	Plan Plan
}

type keyExpr struct {
	alias string
	exprs []string // one per SQL column; the aliases are alias, alias_1, ...
}

// Build compiles q answered by plan into one SQL statement of dialect d.
func Build(d Dialect, q *Query, plan Plan) (*Built, error) {
	if len(plan) == 0 {
		return nil, fmt.Errorf("empty plan")
	}
	if err := validate(q); err != nil {
		return nil, err
	}
	measures := measuresOf(q)
	out := outColumns(q, measures)
	where, whereArgs, err := compileFilter(d, &q.Filter)
	if err != nil {
		return nil, err
	}
	b := &Built{Out: out, Plan: plan}
	var sb strings.Builder
	if len(plan) == 1 {
		keys := keyExprs(d, q, plan[0])
		sb.WriteString("SELECT ")
		writeKeys(&sb, keys)
		for i, m := range measures {
			if len(keys) > 0 || i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "%s AS m%d", finalMeasure(d, m, plan[0].Resolution), i)
		}
		b.Args = writeFrom(d, &sb, plan[0], where, whereArgs, b.Args)
		writeGroup(&sb, keys)
		writeOrder(d, &sb, q, keys, out)
		b.SQL = sb.String()
		return b, nil
	}
	// Two phases: each part aggregates its range; the outer query merges.
	keys := keyExprs(d, q, plan[0]) // only their aliases
	sb.WriteString("SELECT ")
	distinct := distinctCarriers(measures)
	writeAliases(&sb, keys)
	for i, m := range measures {
		if len(keys) > 0 || i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%s AS m%d", outerMeasure(d, m, i, distinct), i)
	}
	sb.WriteString(" FROM (")
	for pi, part := range plan {
		if pi > 0 {
			sb.WriteString(" UNION ALL ")
		}
		pk := keyExprs(d, q, part)
		sb.WriteString("SELECT ")
		writeKeys(&sb, pk)
		n := len(pk)
		for j, f := range distinct {
			if n > 0 || j > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "%s AS d%d", d.Quote(f.Column()), j)
		}
		n += len(distinct)
		for i, m := range measures {
			if isDistinct(m) {
				continue
			}
			if n > 0 {
				sb.WriteString(", ")
			}
			n++
			fmt.Fprintf(&sb, "%s AS m%d", partialMeasure(d, m, part.Resolution), i)
		}
		if n == 0 {
			sb.WriteString("1 AS one")
		}
		b.Args = writeFrom(d, &sb, part, where, whereArgs, b.Args)
		if len(pk)+len(distinct) > 0 {
			sb.WriteString(" GROUP BY ")
			for i := 1; i <= sqlWidth(pk)+len(distinct); i++ {
				if i > 1 {
					sb.WriteString(", ")
				}
				sb.WriteString(strconv.Itoa(i))
			}
		}
	}
	sb.WriteString(") AS parts")
	writeGroup(&sb, keys)
	writeOrder(d, &sb, q, keys, out)
	b.SQL = sb.String()
	return b, nil
}

func validate(q *Query) error {
	seen := map[string]bool{}
	check := func(name string) error {
		if seen[name] {
			return fmt.Errorf("query: output column %q appears twice; name one with As", name)
		}
		seen[name] = true
		return nil
	}
	if q.Bucket < 0 || (q.Bucket > 0 && q.Bucket%time.Second != 0) {
		return fmt.Errorf("query: bucket %s must be a positive whole number of seconds", q.Bucket)
	}
	if q.Bucket > 0 {
		if err := check("time"); err != nil {
			return err
		}
	}
	for _, dm := range q.GroupBy {
		if !dm.Field.Valid() {
			return fmt.Errorf("query: group by an invalid field")
		}
		switch dm.Kind {
		case DimField, DimHourOfDay, DimWeekday:
		case DimPrefix:
			if dm.Field.Kind() != flowlog.KindAddr {
				return fmt.Errorf("query: prefix dimension on %s, which is not an address", dm.Field)
			}
			if dm.Bits4 < 0 || dm.Bits4 > 32 || dm.Bits6 < 0 || dm.Bits6 > 128 {
				return fmt.Errorf("query: prefix lengths /%d (IPv4) and /%d (IPv6) out of range", dm.Bits4, dm.Bits6)
			}
		case DimBelow:
			if !isUnsigned(dm.Field) {
				return fmt.Errorf("query: below dimension on %s, which is not an unsigned number (use a port, the protocol, packets, bytes...)", dm.Field)
			}
			if dm.Limit == 0 {
				return fmt.Errorf("query: below dimension on %s has limit 0, so every value would be absent: give a positive limit", dm.Field)
			}
		case DimService:
			if dm.Field != flowlog.FieldSrcPort && dm.Field != flowlog.FieldDstPort {
				return fmt.Errorf("query: service dimension on %s: it applies to srcport or dstport", dm.Field)
			}
			if dm.Limit == 0 || dm.Limit > 65535 {
				return fmt.Errorf("query: service dimension on %s: the first ephemeral port %d is not in 1-65535", dm.Field, dm.Limit)
			}
		default:
			return fmt.Errorf("query: unknown dimension kind %d on %s", dm.Kind, dm.Field)
		}
		if err := check(dm.Name()); err != nil {
			return err
		}
	}
	for _, m := range measuresOf(q) {
		if m.Kind < MeasureFlows || m.Kind > MeasureMax {
			return fmt.Errorf("query: unknown measure kind %d", m.Kind)
		}
		if m.Kind >= MeasureSum && !m.Field.Valid() {
			return fmt.Errorf("query: measure %s needs a field", m.Name())
		}
		if m.Kind == MeasureSum && !m.Field.Kind().IsNumeric() {
			return fmt.Errorf("query: cannot sum %s, which is not numeric", m.Field)
		}
		if err := check(m.Name()); err != nil {
			return err
		}
	}
	for _, o := range q.OrderBy {
		if !seen[o.Column] {
			return fmt.Errorf("query: order by %q, which is not an output column", o.Column)
		}
	}
	if q.Limit < 0 {
		return fmt.Errorf("query: negative limit")
	}
	if q.Unordered && (len(q.OrderBy) > 0 || q.Limit > 0) {
		return fmt.Errorf("query: unordered rows cannot be ordered or limited: drop Unordered, or OrderBy and Limit")
	}
	return nil
}

// isUnsigned reports whether f holds an unsigned integer (the fields a
// below dimension applies to).
func isUnsigned(f flowlog.FieldID) bool {
	switch f.Kind() {
	case flowlog.KindUint8, flowlog.KindUint16, flowlog.KindUint64:
		return true
	}
	return false
}

func outColumns(q *Query, measures []Measure) []OutCol {
	var out []OutCol
	if q.Bucket > 0 {
		out = append(out, OutCol{Name: "time", Kind: OutTime, SQLCols: 1})
	}
	for _, dm := range q.GroupBy {
		switch dm.Kind {
		case DimPrefix:
			out = append(out, OutCol{Name: dm.Name(), Kind: OutPrefix, Dim: dm, SQLCols: 3})
		case DimHourOfDay, DimWeekday:
			out = append(out, OutCol{Name: dm.Name(), Kind: OutInt, Dim: dm, SQLCols: 1})
		default:
			out = append(out, OutCol{Name: dm.Name(), Kind: OutField, Dim: dm, SQLCols: 1})
		}
	}
	for _, m := range measures {
		out = append(out, OutCol{Name: m.Name(), Kind: OutMeasure, Measure: m, SQLCols: 1})
	}
	return out
}

// keyExprs returns the grouping keys of q over the table of part.
func keyExprs(d Dialect, q *Query, part Part) []keyExpr {
	start := d.Quote(flowlog.FieldStart.Column())
	var keys []keyExpr
	if q.Bucket > 0 {
		keys = append(keys, keyExpr{alias: "k_time", exprs: []string{d.TimeBucket(start, q.Bucket)}})
	}
	for i, dm := range q.GroupBy {
		alias := "k" + strconv.Itoa(i)
		switch dm.Kind {
		case DimPrefix:
			e := d.PrefixKey(dm.Field, dm.Bits4, dm.Bits6)
			keys = append(keys, keyExpr{alias: alias, exprs: e[:]})
		case DimHourOfDay:
			keys = append(keys, keyExpr{alias: alias, exprs: []string{d.HourOfDay(start)}})
		case DimWeekday:
			keys = append(keys, keyExpr{alias: alias, exprs: []string{d.Weekday(start)}})
		case DimBelow:
			keys = append(keys, keyExpr{alias: alias, exprs: []string{belowExpr(d.Quote(dm.Field.Column()), dm.Limit)}})
		case DimService:
			e := serviceExpr(d, dm.Field, dm.Limit)
			if c := partCube(part); c != nil && c.ServiceFrom == dm.Limit {
				e = d.Quote(ServiceColumn(dm.Field))
			}
			keys = append(keys, keyExpr{alias: alias, exprs: []string{e}})
		default:
			keys = append(keys, keyExpr{alias: alias, exprs: []string{d.Quote(dm.Field.Column())}})
		}
	}
	return keys
}

// belowExpr is col when below limit, else NULL (as is a NULL col): a
// standard SQL CASE, the same in every dialect. The limit is an integer
// literal, not a parameter, so that the parts of a two-phase query and the
// GROUP BY see the same expression.
func belowExpr(col string, limit uint64) string {
	return "CASE WHEN " + col + " < " + strconv.FormatUint(limit, 10) + " THEN " + col + " END"
}

// partCube returns the cube a rollup part reads (nil for raw records).
func partCube(p Part) *Cube {
	if p.Resolution == ResolutionRaw {
		return nil
	}
	c, _ := CubeByName(p.Cube)
	return c
}

// serviceExpr is the port of f's end when that end serves, else NULL: the
// rule of flowlog.ServiceSide in standard SQL (CASE, IN lists of integer
// literals), the same in every dialect. A NULL protocol or port makes the
// condition unknown, so the result NULL, as ServiceSide has no side then.
func serviceExpr(d Dialect, f flowlog.FieldID, eph uint64) string {
	this, other := d.Quote(flowlog.FieldSrcPort.Column()), d.Quote(flowlog.FieldDstPort.Column())
	if f == flowlog.FieldDstPort {
		this, other = other, this
	}
	proto := d.Quote(flowlog.FieldProtocol.Column())
	known := func(col string) string {
		return "((" + proto + " IN (6, 132) AND " + col + " IN (" + portList(flowlog.ProtoTCP) + ")) OR (" +
			proto + " IN (17, 136) AND " + col + " IN (" + portList(flowlog.ProtoUDP) + ")))"
	}
	lim := strconv.FormatUint(eph, 10)
	kt, ko := known(this), known(other)
	return "CASE WHEN " + proto + " IN (6, 17, 132, 136) AND " + this + " < " + lim + " AND (" +
		other + " IS NULL OR " + other + " >= " + lim + " OR " + this + " = " + other +
		" OR (" + kt + " AND NOT " + ko + ") OR (" + kt + " = " + ko + " AND " + this + " < " + other + ")) THEN " + this + " END"
}

// portList is the comma-separated list of the well-known ports of protocol.
func portList(protocol uint8) string {
	ports := flowlog.ServicePorts(protocol)
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = strconv.Itoa(int(p))
	}
	return strings.Join(parts, ", ")
}

func aliasOf(k keyExpr, j int) string {
	if j == 0 {
		return k.alias
	}
	return k.alias + "_" + strconv.Itoa(j)
}

func sqlWidth(keys []keyExpr) int {
	n := 0
	for _, k := range keys {
		n += len(k.exprs)
	}
	return n
}

func writeKeys(sb *strings.Builder, keys []keyExpr) {
	n := 0
	for _, k := range keys {
		for j, e := range k.exprs {
			if n > 0 {
				sb.WriteString(", ")
			}
			n++
			fmt.Fprintf(sb, "%s AS %s", e, aliasOf(k, j))
		}
	}
}

func writeAliases(sb *strings.Builder, keys []keyExpr) {
	n := 0
	for _, k := range keys {
		for j := range k.exprs {
			if n > 0 {
				sb.WriteString(", ")
			}
			n++
			sb.WriteString(aliasOf(k, j))
		}
	}
}

func writeFrom(d Dialect, sb *strings.Builder, part Part, where string, whereArgs, args []any) []any {
	sb.WriteString(" FROM ")
	sb.WriteString(d.Source(part.Resolution, part.Cube, part.Range))
	var conds []string
	start := d.Quote(flowlog.FieldStart.Column())
	if !part.Range.Start.IsZero() {
		conds = append(conds, start+" >= ?")
		args = append(args, epochCeil(part.Range.Start))
	}
	if !part.Range.End.IsZero() {
		conds = append(conds, start+" < ?")
		args = append(args, epochCeil(part.Range.End))
	}
	if where != "" {
		conds = append(conds, where)
		args = append(args, whereArgs...)
	}
	if len(conds) > 0 {
		sb.WriteString(" WHERE ")
		sb.WriteString(strings.Join(conds, " AND "))
	}
	return args
}

// epochCeil returns t in epoch seconds rounded up: records hold whole
// seconds, so start >= t  ⟺  start >= ceil(t), and start < t ⟺ start < ceil(t).
func epochCeil(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func writeGroup(sb *strings.Builder, keys []keyExpr) {
	if len(keys) == 0 {
		return
	}
	sb.WriteString(" GROUP BY ")
	for i := 1; i <= sqlWidth(keys); i++ {
		if i > 1 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(i))
	}
}

func writeOrder(d Dialect, sb *strings.Builder, q *Query, keys []keyExpr, out []OutCol) {
	if q.Unordered {
		return // validate refuses OrderBy and Limit
	}
	var terms []string
	used := map[string]bool{}
	sqlNames := map[string][]string{}
	ki := 0
	for i, oc := range out {
		if oc.Kind == OutMeasure {
			sqlNames[oc.Name] = []string{"m" + strconv.Itoa(i-len(keys))}
			continue
		}
		var names []string
		for j := range keys[ki].exprs {
			names = append(names, aliasOf(keys[ki], j))
		}
		sqlNames[oc.Name] = names
		ki++
	}
	for _, o := range q.OrderBy {
		for _, n := range sqlNames[o.Column] {
			dir := " ASC NULLS LAST"
			if o.Desc {
				dir = " DESC NULLS LAST"
			}
			terms = append(terms, n+dir)
			used[n] = true
		}
	}
	for _, k := range keys {
		for j := range k.exprs {
			if n := aliasOf(k, j); !used[n] {
				terms = append(terms, n+" ASC NULLS LAST")
			}
		}
	}
	if len(terms) > 0 {
		sb.WriteString(" ORDER BY ")
		sb.WriteString(strings.Join(terms, ", "))
	}
	if q.Limit > 0 {
		sb.WriteByte(' ')
		sb.WriteString(d.Limit(q.Limit))
	}
}

func isDistinct(m Measure) bool {
	return m.Kind == MeasureDistinct || m.Kind == MeasureApproxDistinct
}

// distinctCarriers returns the fields the parts of a two-phase query group
// by so that the outer query can count distinct values.
func distinctCarriers(ms []Measure) []flowlog.FieldID {
	var out []flowlog.FieldID
	for _, m := range ms {
		if isDistinct(m) && !containsField(out, m.Field) {
			out = append(out, m.Field)
		}
	}
	return out
}

func containsField(fs []flowlog.FieldID, f flowlog.FieldID) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// sumColumn returns the column summed for a flows/packets/bytes measure at r.
func sumColumn(d Dialect, m Measure, r Resolution) string {
	switch {
	case m.Kind == MeasurePackets || (m.Kind == MeasureSum && m.Field == flowlog.FieldPackets):
		return d.Quote(ColPackets)
	case m.Kind == MeasureBytes || (m.Kind == MeasureSum && m.Field == flowlog.FieldBytes):
		return d.Quote(ColBytes)
	}
	return d.Quote(m.Field.Column())
}

// finalMeasure is the aggregate of a one-phase query.
func finalMeasure(d Dialect, m Measure, r Resolution) string {
	switch m.Kind {
	case MeasureDistinct:
		return "count(DISTINCT " + d.Quote(m.Field.Column()) + ")"
	case MeasureApproxDistinct:
		return d.ApproxDistinct(d.Quote(m.Field.Column()))
	case MeasureMin:
		return "min(" + d.Quote(m.Field.Column()) + ")"
	case MeasureMax:
		return "max(" + d.Quote(m.Field.Column()) + ")"
	}
	return "coalesce(" + d.Uint(partialMeasure(d, m, r)) + ", 0)"
}

// partialMeasure is the aggregate of one part of a two-phase query.
func partialMeasure(d Dialect, m Measure, r Resolution) string {
	switch m.Kind {
	case MeasureFlows:
		if r == ResolutionRaw {
			return "count(*)"
		}
		return "sum(" + d.Quote(ColFlows) + ")"
	case MeasureMin:
		return "min(" + d.Quote(m.Field.Column()) + ")"
	case MeasureMax:
		return "max(" + d.Quote(m.Field.Column()) + ")"
	}
	return "sum(" + sumColumn(d, m, r) + ")"
}

// outerMeasure merges the partial measure m<i> of the parts.
func outerMeasure(d Dialect, m Measure, i int, distinct []flowlog.FieldID) string {
	col := "m" + strconv.Itoa(i)
	switch m.Kind {
	case MeasureDistinct, MeasureApproxDistinct:
		for j, f := range distinct {
			if f == m.Field {
				if m.Kind == MeasureDistinct {
					return "count(DISTINCT d" + strconv.Itoa(j) + ")"
				}
				return d.ApproxDistinct("d" + strconv.Itoa(j))
			}
		}
	case MeasureMin:
		return "min(" + col + ")"
	case MeasureMax:
		return "max(" + col + ")"
	}
	return "coalesce(" + d.Uint("sum("+col+")") + ", 0)"
}
