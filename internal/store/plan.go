package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// PlanConfig tunes the choice of tables for ResolutionAuto.
type PlanConfig struct {
	// MaxScanRows is the number of rows a query may read while staying
	// fast (about a second on two cores): ResolutionAuto uses the finest
	// resolution whose smallest table answering the query is estimated at
	// no more rows than this over the query's range (else the resolution
	// with the fewest rows). Rows, not time, decide: data density differs
	// by orders of magnitude between users.
	MaxScanRows int64
}

// DefaultPlanConfig returns the default configuration.
func DefaultPlanConfig() PlanConfig { return PlanConfig{MaxScanRows: 4_000_000} }

// Estimator tells the planner about the stored data.
type Estimator interface {
	// Has reports whether resolution r of cube is stored for all the data
	// (a cube added by a newer version is not, for data stored before).
	Has(r Resolution, cube string) bool
	// EstimateRows estimates the rows of resolution r of cube in the time
	// range (cube is ignored for raw records).
	EstimateRows(r Resolution, cube string, tr TimeRange) int64
}

// Part is a piece of a plan: the records of Range read from one table.
type Part struct {
	Resolution Resolution
	Cube       string // rollups only: the cube ("" for the full cube)
	Range      TimeRange
}

// Plan lists the parts that together answer a query: their ranges are
// disjoint and their union is the query's range.
type Plan []Part

func (p Plan) String() string {
	var b strings.Builder
	for i, part := range p {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(part.Resolution.String())
		if part.Cube != "" && part.Resolution != ResolutionRaw {
			b.WriteByte('/')
			b.WriteString(part.Cube)
		}
		if len(p) > 1 {
			b.WriteByte('[')
			b.WriteString(fmtBound(part.Range.Start))
			b.WriteByte(',')
			b.WriteString(fmtBound(part.Range.End))
			b.WriteByte(')')
		}
	}
	return b.String()
}

func fmtBound(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.UTC().Format("2006-01-02T15:04:05.999999999Z")
	}
	return t.UTC().Format("2006-01-02T15:04Z")
}

// Covers reports whether resolution r answers q exactly from some cube.
func Covers(r Resolution, q *Query) bool {
	if r.Step() == 0 {
		return true
	}
	for i := range cubes {
		if CubeCovers(r, &cubes[i], q) {
			return true
		}
	}
	return false
}

// CubeCovers reports whether resolution r of cube c answers q exactly: every
// dimension, filter and measure of q is available in c, and the time bucket
// is a multiple of r's step.
func CubeCovers(r Resolution, c *Cube, q *Query) bool {
	step := r.Step()
	if step == 0 {
		return true
	}
	if c.HourOnly && r != ResolutionHour {
		return false
	}
	if q.Bucket > 0 && q.Bucket%step != 0 {
		return false
	}
	for _, d := range q.GroupBy {
		switch d.Kind {
		case DimHourOfDay, DimWeekday:
		case DimService:
			if c.ServiceFrom != d.Limit && !(c.Has(flowlog.FieldSrcPort) && c.Has(flowlog.FieldDstPort) && c.Has(flowlog.FieldProtocol)) {
				return false
			}
		default:
			if !c.Has(d.Field) {
				return false
			}
		}
	}
	for _, cond := range q.Filter.Conds {
		if !c.Has(cond.Field) {
			return false
		}
	}
	if q.Filter.SQL != "" {
		if q.Filter.SQLFields == nil {
			return false
		}
		for _, f := range q.Filter.SQLFields {
			if !c.Has(f) {
				return false
			}
		}
	}
	for _, m := range measuresOf(q) {
		switch m.Kind {
		case MeasureFlows, MeasurePackets, MeasureBytes:
		case MeasureSum:
			if m.Field != flowlog.FieldPackets && m.Field != flowlog.FieldBytes {
				return false
			}
		default:
			if !c.Has(m.Field) {
				return false
			}
		}
	}
	return true
}

func measuresOf(q *Query) []Measure {
	if len(q.Measures) == 0 {
		return []Measure{Flows, Packets, Bytes}
	}
	return q.Measures
}

// bestCube returns the covering cube of resolution r with the fewest
// estimated rows in tr (nil when none covers).
func bestCube(q *Query, r Resolution, tr TimeRange, est Estimator) (*Cube, int64) {
	var best *Cube
	var rows int64
	for i := range cubes {
		c := &cubes[i]
		if !CubeCovers(r, c, q) || (est != nil && !est.Has(r, c.Name)) {
			continue
		}
		n := int64(0)
		if est != nil {
			n = est.EstimateRows(r, c.Name, tr)
		}
		if best == nil || n < rows || (n == rows && len(c.Dims) < len(best.Dims)) {
			best, rows = c, n
		}
	}
	return best, rows
}

// MakePlan chooses the tables answering q (see PlanConfig). A range that
// does not align on the buckets of the chosen rollup is answered by the
// rollup for its whole buckets and by finer data for the edges, so the
// answer equals the one from raw records.
func MakePlan(q *Query, cfg PlanConfig, est Estimator) (Plan, error) {
	r := q.Resolution
	if r != ResolutionAuto {
		if c, _ := bestCube(q, r, q.Range, est); r != ResolutionRaw && c == nil {
			return nil, fmt.Errorf("resolution %s cannot answer this query exactly (a dimension, filter or measure is not in a rollup, or the bucket is not a multiple of %s): use raw or auto", r, r.Step())
		}
	} else {
		r = chooseResolution(q, cfg, est)
	}
	return split(q, r, q.Range, est), nil
}

func chooseResolution(q *Query, cfg PlanConfig, est Estimator) Resolution {
	if est == nil {
		return ResolutionRaw
	}
	fewest, fewestRows := ResolutionRaw, int64(-1)
	for _, r := range []Resolution{ResolutionRaw, ResolutionMinute, ResolutionHour} {
		var rows int64
		if r == ResolutionRaw {
			rows = est.EstimateRows(r, "", q.Range)
		} else {
			c, n := bestCube(q, r, q.Range, est)
			if c == nil {
				continue
			}
			rows = n
		}
		if rows <= cfg.MaxScanRows {
			return r
		}
		if fewestRows < 0 || rows < fewestRows {
			fewest, fewestRows = r, rows
		}
	}
	return fewest
}

// finer returns the next finer resolution that covers q.
func finer(q *Query, r Resolution, est Estimator) Resolution {
	if c, _ := bestCube(q, ResolutionMinute, TimeRange{}, est); r == ResolutionHour && c != nil {
		return ResolutionMinute
	}
	return ResolutionRaw
}

// split answers tr at resolution r: whole buckets from r's best cube,
// edges from finer resolutions.
func split(q *Query, r Resolution, tr TimeRange, est Estimator) Plan {
	step := r.Step()
	if step == 0 {
		return Plan{{Resolution: r, Range: tr}}
	}
	a, b := tr.Start, tr.End
	if !a.IsZero() {
		a = ceilTime(a, step)
	}
	if !b.IsZero() {
		b = b.Truncate(step)
	}
	if !a.IsZero() && !b.IsZero() && !a.Before(b) {
		return split(q, finer(q, r, est), tr, est)
	}
	whole := TimeRange{Start: a, End: b}
	c, _ := bestCube(q, r, whole, est)
	p := Plan{{Resolution: r, Cube: c.Name, Range: whole}}
	if !tr.Start.IsZero() && tr.Start.Before(a) {
		p = append(p, split(q, finer(q, r, est), TimeRange{Start: tr.Start, End: a}, est)...)
	}
	if !tr.End.IsZero() && b.Before(tr.End) {
		p = append(p, split(q, finer(q, r, est), TimeRange{Start: b, End: tr.End}, est)...)
	}
	return p
}

func ceilTime(t time.Time, step time.Duration) time.Time {
	f := t.Truncate(step)
	if f.Equal(t) {
		return t
	}
	return f.Add(step)
}
