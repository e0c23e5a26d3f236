package parse

import (
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// fastDefault is fastFill written out for the default (version 2) format,
// the format of most flow logs: no loop over columns, no indirection. It
// parses the line that starts at line[i:], whose columns are separated by
// single spaces, and returns the index of the byte that ends the last
// column (len(line), or a newline for fastLines); on anything else it
// returns false and the caller tries fastFill, then the general path.
// FuzzParseLine checks it against the general path.
func (p *Parser) fastDefault(line []byte, i int, rec *flowlog.Record) (int, bool) {
	present := p.present
	var (
		v  uint64
		ok bool
		j  int
		a  netip.Addr
	)

	// version: one digit almost always.
	if i+2 < len(line) && line[i]-'0' <= 9 && line[i+1] == ' ' {
		rec.Version = line[i] - '0'
		i += 2
	} else if v, i, ok = numColumn(line, i); !ok || v > 255 {
		return 0, false
	} else if i < 0 {
		i = -i
		rec.Version = 0
		present.Remove(flowlog.FieldVersion)
	} else {
		rec.Version = uint8(v)
	}

	// account-id
	if j = tokenEnd(line, i); j == i || j < len(line) && line[j] != ' ' {
		return 0, false
	}
	if j-i == 1 && line[i] == '-' {
		rec.AccountID = ""
		present.Remove(flowlog.FieldAccountID)
	} else if present.Has(flowlog.FieldAccountID) {
		rec.AccountID = p.cached(flowlog.FieldAccountID, line[i:j])
	}
	i = j + 1

	// interface-id
	if j = tokenEnd(line, i); j == i || j < len(line) && line[j] != ' ' {
		return 0, false
	}
	if j-i == 1 && line[i] == '-' {
		rec.InterfaceID = ""
		present.Remove(flowlog.FieldInterfaceID)
	} else if present.Has(flowlog.FieldInterfaceID) {
		rec.InterfaceID = p.cached(flowlog.FieldInterfaceID, line[i:j])
	}
	i = j + 1

	// srcaddr, dstaddr
	if a, i, ok = addrColumn(line, i); !ok {
		return 0, false
	} else if i < 0 {
		i = -i
		present.Remove(flowlog.FieldSrcAddr)
	}
	rec.SrcAddr = a
	if a, i, ok = addrColumn(line, i); !ok {
		return 0, false
	} else if i < 0 {
		i = -i
		present.Remove(flowlog.FieldDstAddr)
	}
	rec.DstAddr = a

	// srcport, dstport, protocol, packets, bytes, start, end
	var nums [7]uint64
	var dashes uint32
	if i, dashes, ok = numbers(line, i, &nums); !ok {
		return 0, false
	}
	if nums[0] > 65535 || nums[1] > 65535 || nums[2] > 255 || nums[5] > 1<<62 || nums[6] > 1<<62 {
		return 0, false
	}
	rec.SrcPort, rec.DstPort, rec.Protocol = uint16(nums[0]), uint16(nums[1]), uint8(nums[2])
	rec.Packets, rec.Bytes = nums[3], nums[4]
	rec.Start, rec.End = timeValue(nums[5]), timeValue(nums[6])
	if dashes != 0 {
		for k, id := range [7]flowlog.FieldID{flowlog.FieldSrcPort, flowlog.FieldDstPort, flowlog.FieldProtocol,
			flowlog.FieldPackets, flowlog.FieldBytes, flowlog.FieldStart, flowlog.FieldEnd} {
			if dashes&(1<<k) != 0 {
				present.Remove(id)
			}
		}
	}

	// action, log-status: the last two columns.
	if j = tokenEnd(line, i); j == i || j < len(line) && line[j] != ' ' {
		return 0, false
	}
	act, ok := actionColumn(line[i:j])
	if !ok {
		return 0, false
	}
	if act == 0 {
		present.Remove(flowlog.FieldAction)
	}
	rec.Action = act
	i = j + 1
	if j = tokenEnd(line, i); j == i { // i may be past the end
		return 0, false
	}
	st, ok := statusColumn(line[i:j])
	if !ok {
		return 0, false
	}
	if st == 0 {
		present.Remove(flowlog.FieldLogStatus)
	}
	rec.Status = st

	rec.Present = present
	if rec.Extra != nil {
		rec.Extra = rec.Extra[:0]
	}
	return j, true
}

// fastLines parses lines at the start of data into recs with fastDefault,
// without looking for their ends first, and returns how many bytes and
// records it took. It stops at the first line fastDefault does not take
// whole (a header, a custom format, an unusual line, one longer than
// maxLine, a line without its newline) or when recs is full: the caller
// then parses that line with parse. Every line it takes is one parse would
// take as a record, with the same values.
func (p *Parser) fastLines(data []byte, recs []flowlog.Record, maxLine int) (int, int) {
	f := p.format
	if f == nil {
		f = p.defFmt
	}
	if !f.def || p.noFast || p.noDefault || f != p.opsFormat && !p.compile(f) {
		return 0, 0
	}
	off, n := 0, 0
	for n < len(recs) {
		end, ok := p.fastDefault(data, off, &recs[n])
		if !ok || end >= len(data) || data[end] != '\n' || end-off > maxLine {
			break
		}
		off = end + 1
		n++
	}
	return off, n
}

// numColumn parses the number column at line[i:], ended by a space or the
// end of the line. It returns the value and the start of the next column;
// for '-' it returns 0 and minus the start of the next column.
func numColumn(line []byte, i int) (uint64, int, bool) {
	if i+1 < len(line) && line[i] == '-' && line[i+1] == ' ' {
		return 0, -(i + 2), true
	}
	v, j, ok := scanUint(line, i)
	return v, j + 1, ok
}

// addrColumn is numColumn for an address column.
func addrColumn(line []byte, i int) (netip.Addr, int, bool) {
	if a, j, ok := ipv4At(line, i); ok {
		return a, j + 1, true
	}
	j := tokenEnd(line, i)
	if j == i || j < len(line) && line[j] != ' ' {
		return netip.Addr{}, 0, false
	}
	if j-i == 1 && line[i] == '-' {
		return netip.Addr{}, -(j + 1), true
	}
	a, ok := parseAddr(line[i:j]) // ipv4At could not: IPv6 most likely
	return a, j + 1, ok
}

// timeValue converts a start or end value (at most 2^62) to seconds.
func timeValue(v uint64) int64 {
	if v > maxInt32 {
		v /= 1000 // milliseconds
	}
	return int64(v)
}

// actionColumn parses an action token; '-' gives 0.
func actionColumn(tok []byte) (flowlog.Action, bool) {
	if len(tok) == 1 && tok[0] == '-' {
		return 0, true
	}
	return flowlog.ParseAction(tok)
}

// statusColumn parses a log-status token; '-' gives 0.
func statusColumn(tok []byte) (flowlog.LogStatus, bool) {
	if len(tok) == 1 && tok[0] == '-' {
		return 0, true
	}
	return flowlog.ParseLogStatus(tok)
}
