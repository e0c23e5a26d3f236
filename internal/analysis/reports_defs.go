package analysis

import (
	"context"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// DefaultAdminPorts are the ports of the admin-port-traffic report: remote
// shells and desktops (SSH, Telnet, RDP, VNC, WinRM) and the admin consoles
// of web hosting panels (cPanel/WHM 2082-2087, Plesk 8443, Cockpit 9090,
// Webmin 10000).
const DefaultAdminPorts = "22,23,2082,2083,2086,2087,3389,5900,5985,5986,8443,9090,10000"

// builtinReports is the registry; it is never modified after init.
var builtinReports = buildReports()

func reportDefs() []reportDef { return builtinReports }

// A report that is one ranking of a dimension under extra conditions.
func rankReport(by Dimension, m Metric, conds ...store.Cond) func(context.Context, *reportRun) ([]*render.Table, error) {
	return func(ctx context.Context, x *reportRun) ([]*render.Table, error) {
		t, err := x.topTable(ctx, by, m, conds...)
		if err != nil {
			return nil, err
		}
		return []*render.Table{t}, nil
	}
}

// A report that is the totals and the top conversations of the records
// matching conds (plus, when param is set, the address or CIDR of that
// parameter on field).
func trafficReport(m Metric, param string, field flowlog.FieldID, conds ...store.Cond) func(context.Context, *reportRun) ([]*render.Table, error) {
	return func(ctx context.Context, x *reportRun) ([]*render.Table, error) {
		cs := append([]store.Cond(nil), conds...)
		if param != "" {
			p, ok, err := x.prefix(param)
			if err != nil {
				return nil, err
			}
			if ok {
				cs = append(cs, store.InPrefix(field, p))
			}
		}
		tot, _, err := x.totalsTable(ctx, cs)
		if err != nil {
			return nil, err
		}
		top, err := x.topTable(ctx, ByConversation, m, cs...)
		if err != nil {
			return nil, err
		}
		return []*render.Table{tot, top}, nil
	}
}

// A report that is the totals of the records matching conds.
func totalsReport(conds ...store.Cond) func(context.Context, *reportRun) ([]*render.Table, error) {
	return func(ctx context.Context, x *reportRun) ([]*render.Table, error) {
		t, _, err := x.totalsTable(ctx, conds)
		if err != nil {
			return nil, err
		}
		t.Name, t.Title = x.tableName(""), x.def.Title
		return []*render.Table{t}, nil
	}
}

// runSSHRDP ranks the conversations of records whose source or destination
// port is 22 or 3389.
func runSSHRDP(ctx context.Context, x *reportRun) ([]*render.Table, error) {
	parts := portsEither([]any{uint16(22), uint16(3389)})
	tot, sum, err := x.totalsTable(ctx, parts...)
	if err != nil {
		return nil, err
	}
	top, err := x.unionTop(ctx, ByConversation, MetricBytes, parts, sum)
	if err != nil {
		return nil, err
	}
	return []*render.Table{tot, top}, nil
}

func buildReports() []reportDef {
	accept := store.Eq(flowlog.FieldAction, flowlog.ActionAccept)
	reject := store.Eq(flowlog.FieldAction, flowlog.ActionReject)
	tcp := store.Eq(flowlog.FieldProtocol, flowlog.ProtoTCP)
	udp := store.Eq(flowlog.FieldProtocol, flowlog.ProtoUDP)
	athena := func(name, title, aws, desc string, limit int, params []Param, run func(context.Context, *reportRun) ([]*render.Table, error)) reportDef {
		return reportDef{ReportInfo: ReportInfo{Name: name, Title: title, Description: desc, Params: params,
			Origin: OriginAthena, AWSName: aws, Limit: limit}, run: run}
	}
	cwl := func(name, title, aws, query, desc string, limit int, params []Param, run func(context.Context, *reportRun) ([]*render.Table, error)) reportDef {
		return reportDef{ReportInfo: ReportInfo{Name: name, Title: title, Description: desc, Params: params,
			Origin: OriginCloudWatch, AWSName: aws, AWSQuery: query, Limit: limit}, run: run}
	}
	srcParam := func(required bool) []Param {
		return []Param{{Name: "srcaddr", Required: required, Description: "source address or CIDR prefix"}}
	}
	return []reportDef{
		athena("accepted-traffic", "Accepted TCP traffic", "VpcFlowLogsAcceptedTraffic",
			"The TCP connections that security groups and network ACLs allowed (action ACCEPT, protocol 6): totals, and the conversations (source, destination, port) with the most bytes.",
			50, nil, trafficReport(MetricBytes, "", 0, accept, tcp)),
		athena("admin-port-traffic", "Traffic on administrative ports", "VpcFlowLogsAdminPortTraffic",
			"The IP addresses with the most bytes in records whose source or destination port is an administrative port (remote shells and desktops, web hosting admin consoles; see the ports parameter). An address counts both as a source and as a destination.",
			10, []Param{{Name: "ports", Default: DefaultAdminPorts, Description: "comma-separated administrative ports"}}, runAdminPorts),
		athena("ipv4-traffic", "IPv4 traffic", "VpcFlowLogsIPv4Traffic",
			"The total bytes (and flows, packets) of IPv4 traffic: records whose source address is IPv4 (this works with every log format, unlike the type field of v3+ formats).",
			0, nil, totalsReport(familyCond(false))),
		athena("ipv6-traffic", "IPv6 traffic", "VpcFlowLogsIPv6Traffic",
			"The total bytes (and flows, packets) of IPv6 traffic: records whose source address is IPv6.",
			0, nil, totalsReport(familyCond(true))),
		athena("rejected-tcp-traffic", "Rejected TCP traffic", "VpcFlowLogsRejectedTCPTraffic",
			"The TCP connections that security groups or network ACLs rejected (action REJECT, protocol 6): totals, and the conversations with the most rejected flows.",
			50, nil, trafficReport(MetricFlows, "", 0, reject, tcp)),
		athena("rejected-traffic", "Rejected traffic", "VpcFlowLogsRejectedTraffic",
			"The traffic that security groups or network ACLs rejected: totals, and the conversations with the most rejected flows.",
			50, nil, trafficReport(MetricFlows, "", 0, reject)),
		athena("ssh-rdp-traffic", "SSH and RDP traffic", "VpcFlowLogsSshRdpTraffic",
			"The records whose source or destination port is 22 (SSH) or 3389 (RDP): totals, and the conversations with the most bytes.",
			50, nil, runSSHRDP),
		athena("top-talkers", "Top talkers", "VpcFlowLogsTopTalkers",
			"The source IP addresses with the most bytes.",
			50, nil, rankReport(BySource, MetricBytes)),
		athena("top-talkers-packet-level", "Top talkers (packet level)", "VpcFlowLogsTopTalkersPacketLevel",
			"The packet-level source addresses (pkt-srcaddr, v3+ formats) with the most bytes.",
			50, nil, rankReport(ByPktSource, MetricBytes)),
		athena("top-talking-instances", "Top talking instances", "VpcFlowLogsTopTalkingInstances",
			"The instance IDs (instance-id, v3+ formats) with the most bytes.",
			50, nil, rankReport(ByInstance, MetricBytes)),
		athena("top-talking-subnets", "Top talking subnets", "VpcFlowLogsTopTalkingSubnets",
			"The subnet IDs with the most bytes; records without subnet-id (v2 default format) count under the network of their source address (/24, IPv6 /64).",
			50, nil, rankReport(BySubnet, MetricBytes)),
		athena("top-tcp-traffic", "Top TCP traffic by source", "VpcFlowLogsTopTCPTraffic",
			"The TCP traffic (protocol 6) per source address, most bytes first; the srcaddr parameter narrows it to an address or CIDR.",
			50, srcParam(false), func(ctx context.Context, x *reportRun) ([]*render.Table, error) {
				conds := []store.Cond{tcp}
				p, ok, err := x.prefix("srcaddr")
				if err != nil {
					return nil, err
				}
				if ok {
					conds = append(conds, store.InPrefix(flowlog.FieldSrcAddr, p))
				}
				return rankReport(BySource, MetricBytes, conds...)(ctx, x)
			}),
		athena("total-bytes-transferred", "Total bytes transferred", "VpcFlowLogsTotalBytesTransferred",
			"The (source, destination) address pairs with the most bytes.",
			50, nil, rankReport(ByPair, MetricBytes)),
		athena("total-bytes-transferred-packet-level", "Total bytes transferred (packet level)", "VpcFlowLogsTotalBytesTransferredPacketLevel",
			"The (pkt-srcaddr, pkt-dstaddr) pairs with the most bytes (v3+ formats).",
			50, nil, rankReport(ByPktPair, MetricBytes)),
		athena("traffic-from-source", "Traffic from a source", "VpcFlowLogsTrafficFrmSrcAddr",
			"The traffic whose source address is the srcaddr parameter (an address or a CIDR prefix): totals, and the conversations with the most bytes.",
			50, srcParam(true), trafficReport(MetricBytes, "srcaddr", flowlog.FieldSrcAddr)),
		athena("traffic-to-destination", "Traffic to a destination", "VpcFlowLogsTrafficToDstAddr",
			"The traffic whose destination address is the dstaddr parameter (an address or a CIDR prefix): totals, and the conversations with the most bytes.",
			50, []Param{{Name: "dstaddr", Required: true, Description: "destination address or CIDR prefix"}},
			trafficReport(MetricBytes, "dstaddr", flowlog.FieldDstAddr)),

		cwl("byte-stats-by-pair", "Byte transfers by source and destination", "Average, min, and max byte transfers by source and destination IP addresses",
			"stats avg(bytes), min(bytes), max(bytes) by srcAddr, dstAddr",
			"Per (source, destination) pair: records, total bytes and the average, smallest and largest bytes of a record; the pairs with the most bytes first.",
			50, nil, runByteStats),
		cwl("skipdata-per-hour", "SKIPDATA records per hour", "Find the IP addresses where flow records were skipped during the capture window",
			"filter logStatus=\"SKIPDATA\" | stats count(*) by bin(1h) as t | sort t",
			"The number of SKIPDATA records (records AWS skipped during the capture window) per hour, for the hours that have some.",
			0, nil, runSkipData),
		cwl("subnet-top-destinations", "Top destinations of a subnet", "Find the top 15 byte transfers for hosts on a given subnet",
			"filter isIpv4InSubnet(srcAddr, \"192.0.2.0/24\") | stats sum(bytes) as bytesTransferred by dstAddr | sort bytesTransferred desc | limit 15",
			"The destination addresses receiving the most bytes from sources in the cidr parameter (IPv4 or IPv6).",
			15, []Param{{Name: "cidr", Required: true, Description: "source network (CIDR prefix or address)"}},
			func(ctx context.Context, x *reportRun) ([]*render.Table, error) {
				p, _, err := x.prefix("cidr")
				if err != nil {
					return nil, err
				}
				return rankReport(ByDestination, MetricBytes, store.InPrefix(flowlog.FieldSrcAddr, p))(ctx, x)
			}),
		cwl("top-byte-transfers", "Top byte transfers", "Top 10 byte transfers by source and destination IP addresses",
			"stats sum(bytes) as bytesTransferred by srcAddr, dstAddr | sort bytesTransferred desc | limit 10",
			"The (source, destination) pairs with the most bytes.",
			10, nil, rankReport(ByPair, MetricBytes)),
		cwl("top-packet-transfers", "Top packet transfers", "Find the top 15 packet transfers across hosts",
			"stats sum(packets) as packetsTransferred by srcAddr, dstAddr | sort packetsTransferred desc | limit 15",
			"The (source, destination) pairs with the most packets.",
			15, nil, rankReport(ByPair, MetricPackets)),
		cwl("top-rejected-sources", "Top rejected sources", "Top 20 source IP addresses with highest number of rejected requests",
			"filter action=\"REJECT\" | stats count(*) as numRejections by srcAddr | sort numRejections desc | limit 20",
			"The source addresses with the most rejected records.",
			20, nil, rankReport(BySource, MetricFlows, reject)),
		cwl("udp-sources", "Sources using UDP", "IP addresses using UDP transfer protocol",
			"filter protocol=17 | stats count(*) by srcAddr",
			"The source addresses of UDP records (protocol 17), most records first.",
			100, nil, rankReport(BySource, MetricFlows, udp)),
	}
}
