// Package flowlog defines the flow log record model shared by every stage of
// the flowlens pipeline: the Record type, the field registry and the enums.
// It performs no I/O.
package flowlog

import "strings"

// FieldID identifies one AWS flow log field. The zero value is invalid.
type FieldID uint8

// Every field of VPC flow log versions 2 to 11 and of Transit Gateway flow
// logs (version 6). The order is the order of the registry (and of the
// columns of every export); it never changes once released, new fields are
// appended.
const (
	FieldInvalid FieldID = iota
	// Version 2 (the default format, in default order).
	FieldVersion
	FieldAccountID
	FieldInterfaceID
	FieldSrcAddr
	FieldDstAddr
	FieldSrcPort
	FieldDstPort
	FieldProtocol
	FieldPackets
	FieldBytes
	FieldStart
	FieldEnd
	FieldAction
	FieldLogStatus
	// Version 3.
	FieldVPCID
	FieldSubnetID
	FieldInstanceID
	FieldTCPFlags
	FieldType
	FieldPktSrcAddr
	FieldPktDstAddr
	// Version 4.
	FieldRegion
	FieldAZID
	FieldSublocationType
	FieldSublocationID
	// Version 5.
	FieldPktSrcAWSService
	FieldPktDstAWSService
	FieldFlowDirection
	FieldTrafficPath
	// Version 7 (Amazon ECS).
	FieldECSClusterARN
	FieldECSClusterName
	FieldECSContainerInstanceARN
	FieldECSContainerInstanceID
	FieldECSContainerID
	FieldECSSecondContainerID
	FieldECSServiceName
	FieldECSTaskDefinitionARN
	FieldECSTaskARN
	FieldECSTaskID
	// Version 8.
	FieldRejectReason
	// Version 9.
	FieldResourceID
	// Version 10.
	FieldEncryptionStatus
	// Version 11.
	FieldInstanceTag
	FieldInstanceTag2
	FieldInterfaceTag
	FieldInterfaceTag2
	FieldASGTag
	FieldASGTag2
	FieldInterfaceType
	FieldNextHopInterfaceID
	FieldNextHopSubnetID
	FieldNextHopAZID
	FieldNextHopVPCID
	FieldNextHopInterfaceType
	// Transit Gateway flow logs (version 6).
	FieldResourceType
	FieldTGWID
	FieldTGWAttachmentID
	FieldTGWSrcVPCAccountID
	FieldTGWDstVPCAccountID
	FieldTGWSrcVPCID
	FieldTGWDstVPCID
	FieldTGWSrcSubnetID
	FieldTGWDstSubnetID
	FieldTGWSrcENI
	FieldTGWDstENI
	FieldTGWSrcAZID
	FieldTGWDstAZID
	FieldTGWPairAttachmentID
	FieldPacketsLostNoRoute
	FieldPacketsLostBlackhole
	FieldPacketsLostMTUExceeded
	FieldPacketsLostTTLExpired

	numFields
)

// NumFields is the number of known fields plus one (IDs are 1-based), so a
// [NumFields]T array can be indexed by FieldID.
const NumFields = int(numFields)

// Kind is the storage type of a field.
type Kind uint8

const (
	KindString        Kind = iota + 1 // free text, kept as given (account-id, ids, names)
	KindUint8                         // version, protocol, traffic-path, encryption-status
	KindUint16                        // ports, tcp-flags
	KindUint64                        // packets, bytes, packets-lost-*
	KindTime                          // start, end: Unix seconds
	KindAddr                          // IPv4 or IPv6 address
	KindAction                        // ACCEPT | REJECT
	KindLogStatus                     // OK | NODATA | SKIPDATA
	KindTrafficType                   // IPv4 | IPv6 | EFA
	KindFlowDirection                 // ingress | egress
)

// IsNumeric reports whether the field is rendered as a JSON number.
func (k Kind) IsNumeric() bool {
	return k == KindUint8 || k == KindUint16 || k == KindUint64 || k == KindTime
}

// Field describes one flow log field.
type Field struct {
	ID FieldID
	// Name is the AWS name, dash spelled (log-status).
	Name string
	// Column is the name used in JSON, CSV, Parquet and SQL: the AWS name
	// with '-' replaced by '_' (log_status).
	Column string
	// Version is the flow log version that introduced the field (6 for the
	// Transit Gateway fields).
	Version uint8
	Kind    Kind
	// Description is a one-line summary of the AWS documentation.
	Description string
}

var registry = [numFields]Field{
	{FieldVersion, "version", "", 2, KindUint8, "Flow log version: 2 for the default format, else the highest version among the fields of a custom format."},
	{FieldAccountID, "account-id", "", 2, KindString, "AWS account ID of the owner of the source interface; 'unknown' for interfaces created by AWS services."},
	{FieldInterfaceID, "interface-id", "", 2, KindString, "ID of the network interface for which the traffic is recorded."},
	{FieldSrcAddr, "srcaddr", "", 2, KindAddr, "Source address for incoming traffic, or the interface's address for outgoing traffic."},
	{FieldDstAddr, "dstaddr", "", 2, KindAddr, "Destination address for outgoing traffic, or the interface's address for incoming traffic."},
	{FieldSrcPort, "srcport", "", 2, KindUint16, "Source port."},
	{FieldDstPort, "dstport", "", 2, KindUint16, "Destination port."},
	{FieldProtocol, "protocol", "", 2, KindUint8, "IANA protocol number."},
	{FieldPackets, "packets", "", 2, KindUint64, "Packets transferred during the flow."},
	{FieldBytes, "bytes", "", 2, KindUint64, "Bytes transferred during the flow."},
	{FieldStart, "start", "", 2, KindTime, "Unix seconds when the first packet of the flow was received in the aggregation interval."},
	{FieldEnd, "end", "", 2, KindTime, "Unix seconds when the last packet of the flow was received in the aggregation interval."},
	{FieldAction, "action", "", 2, KindAction, "ACCEPT or REJECT: whether security groups and network ACLs allowed the traffic."},
	{FieldLogStatus, "log-status", "", 2, KindLogStatus, "OK, NODATA (no traffic in the interval) or SKIPDATA (records were skipped)."},
	{FieldVPCID, "vpc-id", "", 3, KindString, "ID of the VPC of the interface."},
	{FieldSubnetID, "subnet-id", "", 3, KindString, "ID of the subnet of the interface."},
	{FieldInstanceID, "instance-id", "", 3, KindString, "ID of the instance of the interface, if owned by the account."},
	{FieldTCPFlags, "tcp-flags", "", 3, KindUint16, "Bitmask of TCP flags OR-ed over the interval: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32."},
	{FieldType, "type", "", 3, KindTrafficType, "Type of traffic: IPv4, IPv6 or EFA."},
	{FieldPktSrcAddr, "pkt-srcaddr", "", 3, KindAddr, "Packet-level (original) source address."},
	{FieldPktDstAddr, "pkt-dstaddr", "", 3, KindAddr, "Packet-level (original) destination address."},
	{FieldRegion, "region", "", 4, KindString, "Region of the interface."},
	{FieldAZID, "az-id", "", 4, KindString, "Availability Zone ID of the interface."},
	{FieldSublocationType, "sublocation-type", "", 4, KindString, "Sublocation type: wavelength, outpost or localzone."},
	{FieldSublocationID, "sublocation-id", "", 4, KindString, "ID of the sublocation of the interface."},
	{FieldPktSrcAWSService, "pkt-src-aws-service", "", 5, KindString, "AWS ip-ranges service name of pkt-srcaddr (S3, EC2, ...)."},
	{FieldPktDstAWSService, "pkt-dst-aws-service", "", 5, KindString, "AWS ip-ranges service name of pkt-dstaddr."},
	{FieldFlowDirection, "flow-direction", "", 5, KindFlowDirection, "Direction relative to the interface: ingress or egress."},
	{FieldTrafficPath, "traffic-path", "", 5, KindUint8, "Path egress traffic takes: 1 same VPC ... 8 internet gateway (see TrafficPathName)."},
	{FieldECSClusterARN, "ecs-cluster-arn", "", 7, KindString, "ARN of the ECS cluster of the task."},
	{FieldECSClusterName, "ecs-cluster-name", "", 7, KindString, "Name of the ECS cluster of the task."},
	{FieldECSContainerInstanceARN, "ecs-container-instance-arn", "", 7, KindString, "ARN of the ECS container instance."},
	{FieldECSContainerInstanceID, "ecs-container-instance-id", "", 7, KindString, "ID of the ECS container instance."},
	{FieldECSContainerID, "ecs-container-id", "", 7, KindString, "Docker runtime ID of the first container of the task."},
	{FieldECSSecondContainerID, "ecs-second-container-id", "", 7, KindString, "Docker runtime ID of the second container of the task."},
	{FieldECSServiceName, "ecs-service-name", "", 7, KindString, "Name of the ECS service of the task."},
	{FieldECSTaskDefinitionARN, "ecs-task-definition-arn", "", 7, KindString, "ARN of the ECS task definition."},
	{FieldECSTaskARN, "ecs-task-arn", "", 7, KindString, "ARN of the ECS task."},
	{FieldECSTaskID, "ecs-task-id", "", 7, KindString, "ID of the ECS task."},
	{FieldRejectReason, "reject-reason", "", 8, KindString, "Why traffic was rejected (BPA: VPC Block Public Access)."},
	{FieldResourceID, "resource-id", "", 9, KindString, "ID of the NAT gateway (or other resource) the flow went through."},
	{FieldEncryptionStatus, "encryption-status", "", 10, KindUint8, "0 not encrypted, 1 Nitro encrypted, 2 application encrypted, 3 both."},
	{FieldInstanceTag, "instance-tag", "", 11, KindString, "Value of the first configured instance tag."},
	{FieldInstanceTag2, "instance-tag-2", "", 11, KindString, "Value of the second configured instance tag."},
	{FieldInterfaceTag, "interface-tag", "", 11, KindString, "Value of the first configured interface tag."},
	{FieldInterfaceTag2, "interface-tag-2", "", 11, KindString, "Value of the second configured interface tag."},
	{FieldASGTag, "asg-tag", "", 11, KindString, "Value of the first configured Auto Scaling group tag."},
	{FieldASGTag2, "asg-tag-2", "", 11, KindString, "Value of the second configured Auto Scaling group tag."},
	{FieldInterfaceType, "interface-type", "", 11, KindString, "Type of the interface (interface, nat_gateway, network_load_balancer, ...)."},
	{FieldNextHopInterfaceID, "next-hop-interface-id", "", 11, KindString, "Interface ID of the next hop."},
	{FieldNextHopSubnetID, "next-hop-subnet-id", "", 11, KindString, "Subnet ID of the next hop."},
	{FieldNextHopAZID, "next-hop-az-id", "", 11, KindString, "Availability Zone ID of the next hop."},
	{FieldNextHopVPCID, "next-hop-vpc-id", "", 11, KindString, "VPC ID of the next hop."},
	{FieldNextHopInterfaceType, "next-hop-interface-type", "", 11, KindString, "Interface type of the next hop."},
	{FieldResourceType, "resource-type", "", 6, KindString, "Transit Gateway logs: TransitGateway or TransitGatewayAttachment."},
	{FieldTGWID, "tgw-id", "", 6, KindString, "ID of the transit gateway."},
	{FieldTGWAttachmentID, "tgw-attachment-id", "", 6, KindString, "ID of the transit gateway attachment."},
	{FieldTGWSrcVPCAccountID, "tgw-src-vpc-account-id", "", 6, KindString, "Account ID of the source VPC."},
	{FieldTGWDstVPCAccountID, "tgw-dst-vpc-account-id", "", 6, KindString, "Account ID of the destination VPC."},
	{FieldTGWSrcVPCID, "tgw-src-vpc-id", "", 6, KindString, "ID of the source VPC."},
	{FieldTGWDstVPCID, "tgw-dst-vpc-id", "", 6, KindString, "ID of the destination VPC."},
	{FieldTGWSrcSubnetID, "tgw-src-subnet-id", "", 6, KindString, "ID of the source subnet."},
	{FieldTGWDstSubnetID, "tgw-dst-subnet-id", "", 6, KindString, "ID of the destination subnet."},
	{FieldTGWSrcENI, "tgw-src-eni", "", 6, KindString, "ID of the source transit gateway attachment interface."},
	{FieldTGWDstENI, "tgw-dst-eni", "", 6, KindString, "ID of the destination transit gateway attachment interface."},
	{FieldTGWSrcAZID, "tgw-src-az-id", "", 6, KindString, "Availability Zone ID of the source attachment."},
	{FieldTGWDstAZID, "tgw-dst-az-id", "", 6, KindString, "Availability Zone ID of the destination attachment."},
	{FieldTGWPairAttachmentID, "tgw-pair-attachment-id", "", 6, KindString, "ID of the paired attachment (the other side of the flow)."},
	{FieldPacketsLostNoRoute, "packets-lost-no-route", "", 6, KindUint64, "Packets dropped: no route."},
	{FieldPacketsLostBlackhole, "packets-lost-blackhole", "", 6, KindUint64, "Packets dropped: blackhole route."},
	{FieldPacketsLostMTUExceeded, "packets-lost-mtu-exceeded", "", 6, KindUint64, "Packets dropped: MTU exceeded."},
	{FieldPacketsLostTTLExpired, "packets-lost-ttl-expired", "", 6, KindUint64, "Packets dropped: TTL expired."},
}

var byName map[string]FieldID

func init() {
	// The registry is immutable after init; byName is only read afterwards.
	byName = make(map[string]FieldID, 2*NumFields)
	for i := 1; i < NumFields; i++ {
		f := &registry[i-1]
		if int(f.ID) != i {
			panic("flowlog: registry out of order at " + f.Name)
		}
		f.Column = strings.ReplaceAll(f.Name, "-", "_")
		byName[f.Name] = f.ID
		byName[f.Column] = f.ID
	}
}

// Fields returns the registry in FieldID order. The slice must not be
// modified.
func Fields() []Field { return registry[:numFields-1] }

// Lookup returns the field with the given AWS name, accepting both the dash
// spelling (log-status) and the underscore spelling (log_status).
func Lookup(name string) (FieldID, bool) {
	id, ok := byName[name]
	return id, ok
}

// Info returns the registry entry of id. It panics on an invalid id.
func (id FieldID) Info() *Field { return &registry[id-1] }

// Name returns the AWS (dash spelled) name of id.
func (id FieldID) Name() string {
	if id == FieldInvalid || int(id) >= NumFields {
		return "invalid"
	}
	return registry[id-1].Name
}

// String returns the AWS name.
func (id FieldID) String() string { return id.Name() }

// Column returns the underscore spelled name of id ("invalid" for an
// invalid id).
func (id FieldID) Column() string {
	if !id.Valid() {
		return "invalid"
	}
	return registry[id-1].Column
}

// Kind returns the storage kind of id (0 for an invalid id).
func (id FieldID) Kind() Kind {
	if !id.Valid() {
		return 0
	}
	return registry[id-1].Kind
}

// Valid reports whether id names a known field.
func (id FieldID) Valid() bool { return id != FieldInvalid && int(id) < NumFields }

// DefaultFields is the default (version 2) format, in order.
var defaultFields = [...]FieldID{
	FieldVersion, FieldAccountID, FieldInterfaceID, FieldSrcAddr, FieldDstAddr,
	FieldSrcPort, FieldDstPort, FieldProtocol, FieldPackets, FieldBytes,
	FieldStart, FieldEnd, FieldAction, FieldLogStatus,
}

// DefaultFields returns the fields of the default format in order. The caller
// owns the returned slice.
func DefaultFields() []FieldID {
	out := make([]FieldID, len(defaultFields))
	copy(out, defaultFields[:])
	return out
}

// VersionOf returns the flow log version AWS writes for a custom format made
// of the given fields: the highest version among them (2 at least).
func VersionOf(fields []FieldID) uint8 {
	v := uint8(2)
	for _, id := range fields {
		if id.Valid() && registry[id-1].Version > v {
			v = registry[id-1].Version
		}
	}
	return v
}
