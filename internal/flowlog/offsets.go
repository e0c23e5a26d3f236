package flowlog

import "unsafe"

// offsets holds the byte offset of each field's slot in Record.
var offsets [numFields]uintptr

func init() {
	var r Record
	num := map[FieldID]uintptr{
		FieldVersion: unsafe.Offsetof(r.Version), FieldProtocol: unsafe.Offsetof(r.Protocol),
		FieldSrcPort: unsafe.Offsetof(r.SrcPort), FieldDstPort: unsafe.Offsetof(r.DstPort),
		FieldTCPFlags: unsafe.Offsetof(r.TCPFlags), FieldAction: unsafe.Offsetof(r.Action),
		FieldLogStatus: unsafe.Offsetof(r.Status), FieldType: unsafe.Offsetof(r.Type),
		FieldFlowDirection: unsafe.Offsetof(r.Direction), FieldTrafficPath: unsafe.Offsetof(r.TrafficPath),
		FieldEncryptionStatus: unsafe.Offsetof(r.EncryptionStatus), FieldPackets: unsafe.Offsetof(r.Packets),
		FieldBytes: unsafe.Offsetof(r.Bytes), FieldStart: unsafe.Offsetof(r.Start), FieldEnd: unsafe.Offsetof(r.End),
		FieldPacketsLostNoRoute: unsafe.Offsetof(r.PacketsLostNoRoute), FieldPacketsLostBlackhole: unsafe.Offsetof(r.PacketsLostBlackhole),
		FieldPacketsLostMTUExceeded: unsafe.Offsetof(r.PacketsLostMTUExceeded), FieldPacketsLostTTLExpired: unsafe.Offsetof(r.PacketsLostTTLExpired),
	}
	for i := 1; i < NumFields; i++ {
		id := FieldID(i)
		switch id.Kind() {
		// The call comes first in each expression: the stack may move
		// during a call, never between the two conversions that follow.
		case KindString:
			offsets[i] = uintptr(unsafe.Pointer(r.StringPtr(id))) - uintptr(unsafe.Pointer(&r))
		case KindAddr:
			offsets[i] = uintptr(unsafe.Pointer(r.AddrPtr(id))) - uintptr(unsafe.Pointer(&r))
		default:
			off, ok := num[id]
			if !ok {
				panic("flowlog: no offset for " + id.Name())
			}
			offsets[i] = off
		}
	}
}

// Offset returns the byte offset of field id's slot in Record, for parsers
// that write slots directly. The slot's Go type follows the field's Kind:
// string (KindString), netip.Addr (KindAddr), int64 (KindTime), uint64
// (KindUint64), uint16 (KindUint16), uint8 (KindUint8 and the enums).
func Offset(id FieldID) uintptr { return offsets[id] }
