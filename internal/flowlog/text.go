package flowlog

import "strconv"

// AppendText appends the AWS text spelling of field id of r to dst: numbers
// in decimal, enums by name (ACCEPT, NODATA, IPv6, ingress), addresses in
// their canonical form, strings verbatim, and "-" when the field is absent.
// This is the inverse of the text parser for every field.
func AppendText(dst []byte, r *Record, id FieldID) []byte {
	if !r.Present.Has(id) {
		return append(dst, '-')
	}
	switch id.Kind() {
	case KindString:
		return append(dst, *r.StringPtr(id)...)
	case KindAddr:
		return r.AddrPtr(id).AppendTo(dst)
	case KindAction:
		return append(dst, r.Action.String()...)
	case KindLogStatus:
		return append(dst, r.Status.String()...)
	case KindTrafficType:
		return append(dst, r.Type.String()...)
	case KindFlowDirection:
		return append(dst, r.Direction.String()...)
	case KindTime:
		v := r.Start
		if id == FieldEnd {
			v = r.End
		}
		return strconv.AppendInt(dst, v, 10)
	}
	v, _ := r.Uint(id)
	return strconv.AppendUint(dst, v, 10)
}

// Text returns the AWS text spelling of field id of r (see AppendText).
func (r *Record) Text(id FieldID) string { return string(AppendText(nil, r, id)) }
