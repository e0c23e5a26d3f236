package flowlog

import (
	"math/bits"
	"net/netip"
)

// FieldSet is a set of FieldIDs. The zero value is empty.
type FieldSet [2]uint64

// Add puts id in the set.
func (s *FieldSet) Add(id FieldID) { s[id>>6] |= 1 << (id & 63) }

// Remove takes id out of the set.
func (s *FieldSet) Remove(id FieldID) { s[id>>6] &^= 1 << (id & 63) }

// Has reports whether id is in the set.
func (s FieldSet) Has(id FieldID) bool { return s[id>>6]&(1<<(id&63)) != 0 }

// Len returns the number of fields in the set.
func (s FieldSet) Len() int { return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) }

// Union returns s ∪ o.
func (s FieldSet) Union(o FieldSet) FieldSet { return FieldSet{s[0] | o[0], s[1] | o[1]} }

// SetOf returns the set of the given fields.
func SetOf(ids ...FieldID) FieldSet {
	var s FieldSet
	for _, id := range ids {
		s.Add(id)
	}
	return s
}

// UnknownAccount is the account-id AWS writes for interfaces that AWS
// services own (VPC endpoints, load balancers). It is kept verbatim.
const UnknownAccount = "unknown"

// Record is one flow log record. Every field of every version has a typed
// slot; Present tells which slots hold a value. A field that was '-' in the
// input, or that is not part of the format, is absent and Present does not
// contain it. Absent never means zero: always check Present. (Parsers leave
// the slots of a format's absent fields zero, but a reused Record may hold
// stale values in slots outside the format, and a parser with a field
// projection, parse.Config.Fields, leaves unspecified values in the slots of
// the fields it does not keep.)
//
// Strings in a Record never alias a parser's buffers: they stay valid for as
// long as the record is kept.
type Record struct {
	Present FieldSet

	Version  uint8
	Protocol uint8
	SrcPort  uint16
	DstPort  uint16
	TCPFlags TCPFlags
	Action   Action
	Status   LogStatus
	Type     TrafficType
	// Direction is flow-direction.
	Direction        FlowDirection
	TrafficPath      TrafficPath
	EncryptionStatus EncryptionStatus

	Packets uint64
	Bytes   uint64
	// Start and End are Unix seconds (millisecond inputs are converted).
	Start int64
	End   int64

	SrcAddr    netip.Addr
	DstAddr    netip.Addr
	PktSrcAddr netip.Addr
	PktDstAddr netip.Addr

	AccountID        string
	InterfaceID      string
	VPCID            string
	SubnetID         string
	InstanceID       string
	Region           string
	AZID             string
	SublocationType  string
	SublocationID    string
	PktSrcAWSService string
	PktDstAWSService string

	ECSClusterARN           string
	ECSClusterName          string
	ECSContainerInstanceARN string
	ECSContainerInstanceID  string
	ECSContainerID          string
	ECSSecondContainerID    string
	ECSServiceName          string
	ECSTaskDefinitionARN    string
	ECSTaskARN              string
	ECSTaskID               string

	RejectReason         string
	ResourceID           string
	InstanceTag          string
	InstanceTag2         string
	InterfaceTag         string
	InterfaceTag2        string
	ASGTag               string
	ASGTag2              string
	InterfaceType        string
	NextHopInterfaceID   string
	NextHopSubnetID      string
	NextHopAZID          string
	NextHopVPCID         string
	NextHopInterfaceType string

	ResourceType        string
	TGWID               string
	TGWAttachmentID     string
	TGWSrcVPCAccountID  string
	TGWDstVPCAccountID  string
	TGWSrcVPCID         string
	TGWDstVPCID         string
	TGWSrcSubnetID      string
	TGWDstSubnetID      string
	TGWSrcENI           string
	TGWDstENI           string
	TGWSrcAZID          string
	TGWDstAZID          string
	TGWPairAttachmentID string

	PacketsLostNoRoute     uint64
	PacketsLostBlackhole   uint64
	PacketsLostMTUExceeded uint64
	PacketsLostTTLExpired  uint64

	// Extra holds the values of fields this version of flowlens does not know
	// (fields AWS adds later), in the order of the format's ExtraNames. A '-'
	// is kept as "" here. Nil when the format has no unknown fields.
	Extra []string
}

// Has reports whether field id holds a value.
func (r *Record) Has(id FieldID) bool { return r.Present.Has(id) }

// Reset clears r for reuse, keeping the capacity of Extra.
func (r *Record) Reset() {
	extra := r.Extra[:0]
	*r = Record{}
	r.Extra = extra
}

// AccountUnknown reports whether account-id is AWS's 'unknown' marker.
func (r *Record) AccountUnknown() bool {
	return r.Present.Has(FieldAccountID) && r.AccountID == UnknownAccount
}

// StringPtr returns a pointer to the slot of a KindString field, or nil for a
// field of another kind.
func (r *Record) StringPtr(id FieldID) *string {
	switch id {
	case FieldAccountID:
		return &r.AccountID
	case FieldInterfaceID:
		return &r.InterfaceID
	case FieldVPCID:
		return &r.VPCID
	case FieldSubnetID:
		return &r.SubnetID
	case FieldInstanceID:
		return &r.InstanceID
	case FieldRegion:
		return &r.Region
	case FieldAZID:
		return &r.AZID
	case FieldSublocationType:
		return &r.SublocationType
	case FieldSublocationID:
		return &r.SublocationID
	case FieldPktSrcAWSService:
		return &r.PktSrcAWSService
	case FieldPktDstAWSService:
		return &r.PktDstAWSService
	case FieldECSClusterARN:
		return &r.ECSClusterARN
	case FieldECSClusterName:
		return &r.ECSClusterName
	case FieldECSContainerInstanceARN:
		return &r.ECSContainerInstanceARN
	case FieldECSContainerInstanceID:
		return &r.ECSContainerInstanceID
	case FieldECSContainerID:
		return &r.ECSContainerID
	case FieldECSSecondContainerID:
		return &r.ECSSecondContainerID
	case FieldECSServiceName:
		return &r.ECSServiceName
	case FieldECSTaskDefinitionARN:
		return &r.ECSTaskDefinitionARN
	case FieldECSTaskARN:
		return &r.ECSTaskARN
	case FieldECSTaskID:
		return &r.ECSTaskID
	case FieldRejectReason:
		return &r.RejectReason
	case FieldResourceID:
		return &r.ResourceID
	case FieldInstanceTag:
		return &r.InstanceTag
	case FieldInstanceTag2:
		return &r.InstanceTag2
	case FieldInterfaceTag:
		return &r.InterfaceTag
	case FieldInterfaceTag2:
		return &r.InterfaceTag2
	case FieldASGTag:
		return &r.ASGTag
	case FieldASGTag2:
		return &r.ASGTag2
	case FieldInterfaceType:
		return &r.InterfaceType
	case FieldNextHopInterfaceID:
		return &r.NextHopInterfaceID
	case FieldNextHopSubnetID:
		return &r.NextHopSubnetID
	case FieldNextHopAZID:
		return &r.NextHopAZID
	case FieldNextHopVPCID:
		return &r.NextHopVPCID
	case FieldNextHopInterfaceType:
		return &r.NextHopInterfaceType
	case FieldResourceType:
		return &r.ResourceType
	case FieldTGWID:
		return &r.TGWID
	case FieldTGWAttachmentID:
		return &r.TGWAttachmentID
	case FieldTGWSrcVPCAccountID:
		return &r.TGWSrcVPCAccountID
	case FieldTGWDstVPCAccountID:
		return &r.TGWDstVPCAccountID
	case FieldTGWSrcVPCID:
		return &r.TGWSrcVPCID
	case FieldTGWDstVPCID:
		return &r.TGWDstVPCID
	case FieldTGWSrcSubnetID:
		return &r.TGWSrcSubnetID
	case FieldTGWDstSubnetID:
		return &r.TGWDstSubnetID
	case FieldTGWSrcENI:
		return &r.TGWSrcENI
	case FieldTGWDstENI:
		return &r.TGWDstENI
	case FieldTGWSrcAZID:
		return &r.TGWSrcAZID
	case FieldTGWDstAZID:
		return &r.TGWDstAZID
	case FieldTGWPairAttachmentID:
		return &r.TGWPairAttachmentID
	}
	return nil
}

// AddrPtr returns a pointer to the slot of a KindAddr field, or nil.
func (r *Record) AddrPtr(id FieldID) *netip.Addr {
	switch id {
	case FieldSrcAddr:
		return &r.SrcAddr
	case FieldDstAddr:
		return &r.DstAddr
	case FieldPktSrcAddr:
		return &r.PktSrcAddr
	case FieldPktDstAddr:
		return &r.PktDstAddr
	}
	return nil
}

// Uint returns the value of a numeric or enum field as an unsigned integer
// (enums as their numeric code, times as Unix seconds), and false for a
// string or address field. It does not look at Present.
func (r *Record) Uint(id FieldID) (uint64, bool) {
	switch id {
	case FieldVersion:
		return uint64(r.Version), true
	case FieldSrcPort:
		return uint64(r.SrcPort), true
	case FieldDstPort:
		return uint64(r.DstPort), true
	case FieldProtocol:
		return uint64(r.Protocol), true
	case FieldPackets:
		return r.Packets, true
	case FieldBytes:
		return r.Bytes, true
	case FieldStart:
		return uint64(r.Start), true
	case FieldEnd:
		return uint64(r.End), true
	case FieldAction:
		return uint64(r.Action), true
	case FieldLogStatus:
		return uint64(r.Status), true
	case FieldTCPFlags:
		return uint64(r.TCPFlags), true
	case FieldType:
		return uint64(r.Type), true
	case FieldFlowDirection:
		return uint64(r.Direction), true
	case FieldTrafficPath:
		return uint64(r.TrafficPath), true
	case FieldEncryptionStatus:
		return uint64(r.EncryptionStatus), true
	case FieldPacketsLostNoRoute:
		return r.PacketsLostNoRoute, true
	case FieldPacketsLostBlackhole:
		return r.PacketsLostBlackhole, true
	case FieldPacketsLostMTUExceeded:
		return r.PacketsLostMTUExceeded, true
	case FieldPacketsLostTTLExpired:
		return r.PacketsLostTTLExpired, true
	}
	return 0, false
}

// SetUint stores v in a numeric or enum field and marks it present. It
// reports false, changing nothing, for a string or address field. Values are
// truncated to the slot's width; callers range-check first.
func (r *Record) SetUint(id FieldID, v uint64) bool {
	switch id {
	case FieldVersion:
		r.Version = uint8(v)
	case FieldSrcPort:
		r.SrcPort = uint16(v)
	case FieldDstPort:
		r.DstPort = uint16(v)
	case FieldProtocol:
		r.Protocol = uint8(v)
	case FieldPackets:
		r.Packets = v
	case FieldBytes:
		r.Bytes = v
	case FieldStart:
		r.Start = int64(v)
	case FieldEnd:
		r.End = int64(v)
	case FieldAction:
		r.Action = Action(v)
	case FieldLogStatus:
		r.Status = LogStatus(v)
	case FieldTCPFlags:
		r.TCPFlags = TCPFlags(v)
	case FieldType:
		r.Type = TrafficType(v)
	case FieldFlowDirection:
		r.Direction = FlowDirection(v)
	case FieldTrafficPath:
		r.TrafficPath = TrafficPath(v)
	case FieldEncryptionStatus:
		r.EncryptionStatus = EncryptionStatus(v)
	case FieldPacketsLostNoRoute:
		r.PacketsLostNoRoute = v
	case FieldPacketsLostBlackhole:
		r.PacketsLostBlackhole = v
	case FieldPacketsLostMTUExceeded:
		r.PacketsLostMTUExceeded = v
	case FieldPacketsLostTTLExpired:
		r.PacketsLostTTLExpired = v
	default:
		return false
	}
	r.Present.Add(id)
	return true
}

// MaxUint returns the largest value a numeric field's slot holds.
func MaxUint(id FieldID) uint64 {
	switch id.Kind() {
	case KindUint8:
		return 1<<8 - 1
	case KindUint16:
		return 1<<16 - 1
	case KindTime:
		return 1<<63 - 1
	}
	return 1<<64 - 1
}
