package store

import "strings"

// TableName returns the documented name of the table (or view) holding
// resolution r of cube: flows (raw records), flows_1m and flows_1h (full
// cube), flows_1m_<cube> and flows_1h_<cube>. Every backend uses these names.
func TableName(r Resolution, cube string) string {
	name := "flows"
	switch r {
	case ResolutionMinute:
		name = "flows_1m"
	case ResolutionHour:
		name = "flows_1h"
	default:
		return name
	}
	if cube != "" {
		name += "_" + cube
	}
	return name
}

// QuoteIdent quotes an identifier the standard SQL way ("end").
func QuoteIdent(ident string) string { return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"` }
