package memory_test

import (
	"math"
	"net/netip"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// diffQueries returns the queries of the differential test: every kind of
// dimension (fields of every storage kind, prefixes, hour, weekday, time
// buckets), every measure, every condition operator on every kind of
// field, orders on measures and dimensions (ascending, descending, on
// nullable columns) and limits.
func diffQueries() []store.Query {
	var qs []store.Query
	fd := store.FieldDim
	desc := func(col string) []store.Order { return []store.Order{{Column: col, Desc: true}} }
	mm := func(k store.MeasureKind, f flowlog.FieldID) store.Measure { return store.Measure{Kind: k, Field: f} }

	// One dimension, default measures: top by bytes, and all groups.
	dims := []store.Dim{
		fd(flowlog.FieldSrcAddr), fd(flowlog.FieldDstAddr), fd(flowlog.FieldPktSrcAddr),
		fd(flowlog.FieldDstPort), fd(flowlog.FieldSrcPort), fd(flowlog.FieldProtocol), fd(flowlog.FieldTCPFlags),
		fd(flowlog.FieldAction), fd(flowlog.FieldLogStatus), fd(flowlog.FieldType), fd(flowlog.FieldFlowDirection),
		fd(flowlog.FieldAccountID), fd(flowlog.FieldInterfaceID), fd(flowlog.FieldVPCID), fd(flowlog.FieldInstanceTag),
		fd(flowlog.FieldVersion), fd(flowlog.FieldTrafficPath), fd(flowlog.FieldEncryptionStatus),
		fd(flowlog.FieldPackets), fd(flowlog.FieldStart), fd(flowlog.FieldEnd), fd(flowlog.FieldPacketsLostNoRoute),
		fd(flowlog.FieldTGWID), fd(flowlog.FieldPktSrcAWSService),
		store.PrefixDim(flowlog.FieldSrcAddr, 24, 64), store.PrefixDim(flowlog.FieldDstAddr, 16, 48),
		store.PrefixDim(flowlog.FieldSrcAddr, 0, 0), store.PrefixDim(flowlog.FieldSrcAddr, 32, 128),
		store.PrefixDim(flowlog.FieldDstAddr, 8, 100), store.PrefixDim(flowlog.FieldPktDstAddr, 31, 127),
		store.HourOfDay(), store.Weekday(),
		store.BelowDim(flowlog.FieldSrcPort, 32768), store.BelowDim(flowlog.FieldDstPort, 1024),
		store.BelowDim(flowlog.FieldProtocol, 17), store.BelowDim(flowlog.FieldTrafficPath, 3),
		store.BelowDim(flowlog.FieldBytes, 5000), store.BelowDim(flowlog.FieldPacketsLostNoRoute, 1<<63),
	}
	for _, d := range dims {
		qs = append(qs,
			store.Query{GroupBy: []store.Dim{d}, OrderBy: desc("bytes"), Limit: 10},
			store.Query{GroupBy: []store.Dim{d}, Measures: []store.Measure{store.Flows}},
			store.Query{GroupBy: []store.Dim{d}, Measures: []store.Measure{store.Packets}, OrderBy: desc(d.Name()), Limit: 4},
		)
	}
	// Two and three dimensions.
	qs = append(qs,
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr), fd(flowlog.FieldDstAddr)}, OrderBy: desc("bytes"), Limit: 25},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldDstPort), fd(flowlog.FieldProtocol), fd(flowlog.FieldAction)}, OrderBy: desc("flows"), Limit: 1000},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldInterfaceID), fd(flowlog.FieldStart), fd(flowlog.FieldBytes)}, Limit: 50},
		store.Query{GroupBy: []store.Dim{store.HourOfDay(), store.Weekday(), fd(flowlog.FieldAction)}, Measures: []store.Measure{store.Flows, store.Bytes}},
		store.Query{GroupBy: []store.Dim{store.PrefixDim(flowlog.FieldSrcAddr, 24, 64), store.PrefixDim(flowlog.FieldDstAddr, 16, 48)},
			OrderBy: []store.Order{{Column: "dstaddr_net", Desc: true}, {Column: "srcaddr_net"}}, Limit: 30},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr), fd(flowlog.FieldDstAddr), fd(flowlog.FieldSrcPort), fd(flowlog.FieldDstPort)},
			OrderBy: desc("packets"), Limit: 5},
		// The graph's query: addresses, action, protocol and service ports.
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr), fd(flowlog.FieldDstAddr), fd(flowlog.FieldAction), fd(flowlog.FieldProtocol),
			store.BelowDim(flowlog.FieldSrcPort, 32768), store.BelowDim(flowlog.FieldDstPort, 32768),
			fd(flowlog.FieldInterfaceID), fd(flowlog.FieldFlowDirection)}},
		// The graph's query with service ports (the graph cube), and at
		// another ephemeral start (raw records).
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr), fd(flowlog.FieldDstAddr), fd(flowlog.FieldAction), fd(flowlog.FieldProtocol),
			store.ServiceDim(flowlog.FieldSrcPort, store.DefaultEphemeralFrom), store.ServiceDim(flowlog.FieldDstPort, store.DefaultEphemeralFrom),
			fd(flowlog.FieldInterfaceID), fd(flowlog.FieldFlowDirection), fd(flowlog.FieldPktSrcAWSService)}},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldDstAddr), store.ServiceDim(flowlog.FieldSrcPort, 50000), store.ServiceDim(flowlog.FieldDstPort, 50000)},
			OrderBy: []store.Order{{Column: "bytes", Desc: true}}, Limit: 30},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldAccountID), fd(flowlog.FieldInterfaceID), fd(flowlog.FieldVPCID),
			fd(flowlog.FieldSubnetID), fd(flowlog.FieldInstanceID), fd(flowlog.FieldRegion), fd(flowlog.FieldAZID), fd(flowlog.FieldType)},
			OrderBy: desc("flows"), Limit: 20},
	)
	// Time buckets.
	for _, b := range []time.Duration{time.Minute, 5 * time.Minute, 90 * time.Second, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 3 * 24 * time.Hour} {
		qs = append(qs,
			store.Query{Bucket: b, Measures: []store.Measure{store.Flows, store.Bytes}},
			store.Query{Bucket: b, GroupBy: []store.Dim{fd(flowlog.FieldAction)}, OrderBy: []store.Order{{Column: "time", Desc: true}}, Limit: 9},
		)
	}
	// Every measure.
	var all []store.Measure
	for _, f := range []flowlog.FieldID{flowlog.FieldStart, flowlog.FieldEnd, flowlog.FieldBytes, flowlog.FieldDstPort,
		flowlog.FieldProtocol, flowlog.FieldSrcAddr, flowlog.FieldAccountID, flowlog.FieldAction, flowlog.FieldLogStatus,
		flowlog.FieldVPCID, flowlog.FieldTCPFlags, flowlog.FieldPacketsLostBlackhole, flowlog.FieldType} {
		all = append(all, mm(store.MeasureMin, f), mm(store.MeasureMax, f), store.Distinct(f))
	}
	sums := []store.Measure{store.Flows, store.Packets, store.Bytes, mm(store.MeasureSum, flowlog.FieldTCPFlags),
		mm(store.MeasureSum, flowlog.FieldStart), mm(store.MeasureSum, flowlog.FieldProtocol),
		mm(store.MeasureSum, flowlog.FieldPacketsLostBlackhole), mm(store.MeasureSum, flowlog.FieldBytes),
		mm(store.MeasureApproxDistinct, flowlog.FieldDstAddr), mm(store.MeasureApproxDistinct, flowlog.FieldSrcPort)}
	qs = append(qs,
		store.Query{Measures: all},
		store.Query{Measures: sums},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldInterfaceID)}, Measures: all},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldLogStatus)}, Measures: sums},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr)}, Measures: []store.Measure{store.Distinct(flowlog.FieldDstPort), store.Flows},
			OrderBy: desc("distinct_dstport"), Limit: 10},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldDstPort)}, Measures: []store.Measure{mm(store.MeasureMin, flowlog.FieldVPCID), store.Flows},
			OrderBy: desc("min_vpc_id"), Limit: 12},
		store.Query{GroupBy: []store.Dim{fd(flowlog.FieldProtocol)}, Measures: []store.Measure{mm(store.MeasureMax, flowlog.FieldSrcAddr), mm(store.MeasureMin, flowlog.FieldAction)},
			OrderBy: []store.Order{{Column: "max_srcaddr"}}},
	)
	// Every operator on every kind of field.
	conds := [][]store.Cond{
		{store.Eq(flowlog.FieldAction, flowlog.ActionReject)},
		{store.Eq(flowlog.FieldAction, "ACCEPT"), {Field: flowlog.FieldDstPort, Op: store.OpLt, Values: []any{1024}}},
		{{Field: flowlog.FieldLogStatus, Op: store.OpNe, Values: []any{flowlog.StatusOK}}},
		{store.In(flowlog.FieldType, "IPv6", flowlog.TypeEFA)},
		{{Field: flowlog.FieldFlowDirection, Op: store.OpNotIn, Values: []any{"ingress"}}},
		{store.In(flowlog.FieldDstPort, 443, uint16(22), "53", int64(123))},
		{{Field: flowlog.FieldDstPort, Op: store.OpNotIn, Values: []any{443, 80}}},
		{{Field: flowlog.FieldProtocol, Op: store.OpGe, Values: []any{17}}},
		{{Field: flowlog.FieldTCPFlags, Op: store.OpGt, Values: []any{18}}, {Field: flowlog.FieldTCPFlags, Op: store.OpLe, Values: []any{uint64(40)}}},
		{{Field: flowlog.FieldBytes, Op: store.OpGt, Values: []any{10000}}},
		{{Field: flowlog.FieldPackets, Op: store.OpLt, Values: []any{0}}},
		{{Field: flowlog.FieldPackets, Op: store.OpNe, Values: []any{1}}},
		{store.In(flowlog.FieldPackets, 1, 2, 3)},
		{{Field: flowlog.FieldStart, Op: store.OpGe, Values: []any{day0.Add(30 * time.Hour).Unix()}}},
		{{Field: flowlog.FieldEnd, Op: store.OpLt, Values: []any{"1714600000"}}},
		{{Field: flowlog.FieldStart, Op: store.OpGt, Values: []any{int64(math.MaxInt64)}}},
		{store.Eq(flowlog.FieldAccountID, flowlog.UnknownAccount)},
		{{Field: flowlog.FieldAccountID, Op: store.OpNe, Values: []any{"123456789012"}}},
		{store.In(flowlog.FieldVPCID, "vpc-00000000", "vpc-nope")},
		{{Field: flowlog.FieldInterfaceID, Op: store.OpNotIn, Values: []any{"eni-00000000000abc000", "eni-00000000000abc001"}}},
		{store.Eq(flowlog.FieldSrcAddr, "10.0.0.10")},
		{store.Eq(flowlog.FieldSrcAddr, netip.MustParseAddr("::ffff:10.0.0.10"))},
		{store.Eq(flowlog.FieldSrcAddr, "fe80::1%eth0")},
		{{Field: flowlog.FieldDstAddr, Op: store.OpNe, Values: []any{"10.1.1.13"}}},
		{store.In(flowlog.FieldSrcAddr, "10.0.0.10", "2600:1f18:aaaa::1", netip.MustParseAddr("10.1.1.13"))},
		{{Field: flowlog.FieldSrcAddr, Op: store.OpNotIn, Values: []any{"10.0.0.10", "10.1.0.11"}}},
		{store.InPrefix(flowlog.FieldDstAddr, "10.0.0.0/8", "2600:1f18:aaaa::/48")},
		{store.InPrefix(flowlog.FieldSrcAddr, netip.MustParsePrefix("::ffff:10.0.0.0/104"))},
		{store.InPrefix(flowlog.FieldSrcAddr, "::ffff:0:0/95", "10.0.0.10", netip.MustParseAddr("2600:1f18:aaaa::3"))},
		{store.InPrefix(flowlog.FieldSrcAddr, "2600:1f18:aaaa::/120", "2600:1f18::/32", "0.0.0.0/0")},
		{{Field: flowlog.FieldSrcAddr, Op: store.OpNotInPrefix, Values: []any{"10.0.0.0/9", "2600::/16"}}},
		{{Field: flowlog.FieldPktDstAddr, Op: store.OpNotInPrefix, Values: []any{netip.MustParsePrefix("10.0.0.0/8")}}},
		{{Field: flowlog.FieldVPCID, Op: store.OpAbsent}, {Field: flowlog.FieldDstPort, Op: store.OpPresent}},
		{{Field: flowlog.FieldStart, Op: store.OpAbsent}},
		{{Field: flowlog.FieldTGWID, Op: store.OpPresent}},
		{{Field: flowlog.FieldECSClusterName, Op: store.OpPresent}, {Field: flowlog.FieldECSSecondContainerID, Op: store.OpAbsent}},
		{{Field: flowlog.FieldPacketsLostTTLExpired, Op: store.OpGt, Values: []any{0}}},
		{{Field: flowlog.FieldEncryptionStatus, Op: store.OpNe, Values: []any{0}}, {Field: flowlog.FieldTrafficPath, Op: store.OpAbsent}},
	}
	for i, c := range conds {
		by := []store.Dim{fd(flowlog.FieldDstPort)}
		if i%3 == 1 {
			by = []store.Dim{fd(flowlog.FieldSrcAddr), fd(flowlog.FieldAction)}
		} else if i%3 == 2 {
			by = nil
		}
		qs = append(qs, store.Query{Filter: store.Filter{Conds: c}, GroupBy: by, OrderBy: desc("flows"), Limit: 15})
	}
	return qs
}

// invalidQueries must fail on both backends with the same error.
func invalidQueries() []store.Query {
	c := func(conds ...store.Cond) store.Query { return store.Query{Filter: store.Filter{Conds: conds}} }
	return []store.Query{
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcPort)}, Resolution: store.ResolutionHour},
		{Bucket: 90 * time.Second, Resolution: store.ResolutionMinute},
		{Bucket: 1500 * time.Millisecond},
		{OrderBy: []store.Order{{Column: "nope"}}},
		{GroupBy: []store.Dim{store.PrefixDim(flowlog.FieldDstPort, 8, 8)}},
		{GroupBy: []store.Dim{store.PrefixDim(flowlog.FieldDstAddr, 33, 8)}},
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldDstAddr), store.FieldDim(flowlog.FieldDstAddr)}},
		{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldDstAddr, 8)}},
		{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldEnd, 8)}},
		{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldDstPort, 0)}},
		{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldSrcPort, 1024)}, Resolution: store.ResolutionMinute},
		{Measures: []store.Measure{{Kind: store.MeasureSum, Field: flowlog.FieldSrcAddr}}},
		{Limit: -1},
		c(store.Eq(flowlog.FieldAction, "MAYBE")),
		c(store.Eq(flowlog.FieldAction, flowlog.StatusOK)),
		c(store.InPrefix(flowlog.FieldSrcAddr, "10.0.0.0/33")),
		c(store.InPrefix(flowlog.FieldDstPort, "10.0.0.0/8")),
		c(store.Eq(flowlog.FieldDstPort, 70000)),
		c(store.Eq(flowlog.FieldBytes, uint64(math.MaxUint64))),
		c(store.Eq(flowlog.FieldDstPort, -1)),
		c(store.Eq(flowlog.FieldSrcAddr, "10.0.0.0/8")),
		c(store.Eq(flowlog.FieldAccountID, 12)),
		c(store.Cond{Field: flowlog.FieldAccountID, Op: store.OpLt, Values: []any{"1"}}),
		c(store.Cond{Field: flowlog.FieldDstPort, Op: store.OpIn}),
		c(store.Cond{Field: flowlog.FieldDstPort, Op: store.OpEq, Values: []any{1, 2}}),
		c(store.Cond{Field: flowlog.FieldDstPort, Op: 99, Values: []any{1}}),
	}
}
