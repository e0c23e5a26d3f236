// Package enrich adds what flow logs do not say about addresses: names for
// known addresses and networks (Aliases, loaded from a YAML or CSV file or
// built from a generated data set's inventory), which networks are internal
// (Networks), the subnets of known CIDRs (Subnets), and a keyed,
// irreversible pseudonymisation of addresses and AWS identifiers for sharing
// results (Pseudonymizer).
//
// Every type here is immutable once built (the Pseudonymizer's internal
// caches are synchronised) and safe for concurrent use. Lookups accept
// IPv4-mapped IPv6 addresses and treat them as IPv4.
package enrich
