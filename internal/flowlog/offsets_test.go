package flowlog

import (
	"net/netip"
	"testing"
	"unsafe"
)

// Writing through Offset must land in the slot the typed accessors read.
func TestOffsets(t *testing.T) {
	for _, f := range Fields() {
		var r Record
		p := unsafe.Add(unsafe.Pointer(&r), Offset(f.ID))
		r.Present.Add(f.ID)
		switch f.Kind {
		case KindString:
			*(*string)(p) = "x"
			if *r.StringPtr(f.ID) != "x" {
				t.Errorf("%s: string slot", f.Name)
			}
		case KindAddr:
			*(*netip.Addr)(p) = netip.MustParseAddr("10.1.2.3")
			if r.Text(f.ID) != "10.1.2.3" {
				t.Errorf("%s: addr slot", f.Name)
			}
		case KindTime:
			*(*int64)(p) = 77
			if v, _ := r.Uint(f.ID); v != 77 {
				t.Errorf("%s: time slot", f.Name)
			}
		case KindUint64:
			*(*uint64)(p) = 1 << 40
			if v, _ := r.Uint(f.ID); v != 1<<40 {
				t.Errorf("%s: uint64 slot", f.Name)
			}
		case KindUint16:
			*(*uint16)(p) = 65000
			if v, _ := r.Uint(f.ID); v != 65000 {
				t.Errorf("%s: uint16 slot", f.Name)
			}
		default:
			*(*uint8)(p) = 2
			if v, _ := r.Uint(f.ID); v != 2 {
				t.Errorf("%s: uint8 slot", f.Name)
			}
		}
	}
}

func TestInvalidField(t *testing.T) {
	var id FieldID
	if id.Column() != "invalid" || id.Name() != "invalid" || id.Kind() != 0 || id.Valid() || FieldID(200).Valid() {
		t.Fatal("an invalid field id must not panic and must say it is invalid")
	}
}
