package enrich

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Alias names an address or a network: a load balancer, a cache, a
// database, a partner's range.
type Alias struct {
	// Name is what graphs and tables show instead of the address.
	Name string `json:"name"`
	// Kind is an optional free-form category ("lb", "cache", "db").
	Kind string `json:"kind,omitempty"`
	// Prefix is the network named (a /32 or /128 for one address).
	Prefix netip.Prefix `json:"cidr"`
	// Source says where the alias was defined ("aliases.yaml:12"), for
	// error messages; empty for aliases built in code.
	Source string `json:"source,omitempty"`
}

// where names the alias in error messages.
func (a *Alias) where() string {
	if a.Source != "" {
		return a.Source
	}
	return fmt.Sprintf("alias %q (%s)", a.Name, a.Prefix)
}

// Limits on alias text.
const (
	MaxAliasName = 200
	MaxAliasKind = 64
)

// Aliases is an immutable table of aliases answering longest-prefix-match
// lookups: an address inside several aliased networks gets the most
// specific one. A nil *Aliases holds no alias.
type Aliases struct {
	entries []Alias // sorted by prefix
	parent  []int32 // per entry: the most specific entry containing it, or -1
	table   lpm
}

// NewAliases checks the entries and builds the table. Prefixes are
// normalised (IPv4-mapped IPv6 prefixes become IPv4). Overlapping
// networks are fine (the more specific wins), but the same network twice
// is an error naming both definitions.
func NewAliases(entries []Alias) (*Aliases, error) {
	out := make([]Alias, 0, len(entries))
	var errs []string
	for _, e := range entries {
		e.Name, e.Kind = strings.TrimSpace(e.Name), strings.TrimSpace(e.Kind)
		p, err := normPrefix(e.Prefix)
		if err == nil {
			err = checkText("name", e.Name, MaxAliasName, true)
		}
		if err == nil {
			err = checkText("kind", e.Kind, MaxAliasKind, false)
		}
		if err != nil {
			errs = append(errs, e.where()+": "+err.Error())
			continue
		}
		e.Prefix = p
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b Alias) int { return comparePrefix(a.Prefix, b.Prefix) })
	for i := 1; i < len(out); i++ {
		if out[i].Prefix == out[i-1].Prefix {
			errs = append(errs, fmt.Sprintf("%s: %s is already named %q at %s: remove one of them",
				out[i].where(), out[i].Prefix, out[i-1].Name, out[i-1].where()))
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	ps := make([]netip.Prefix, len(out))
	parent := make([]int32, len(out))
	var stack []int32 // sorted by address then length: containers come first
	for i := range out {
		ps[i] = out[i].Prefix
		for len(stack) > 0 && !out[stack[len(stack)-1]].Prefix.Overlaps(out[i].Prefix) {
			stack = stack[:len(stack)-1]
		}
		parent[i] = -1
		if len(stack) > 0 {
			parent[i] = stack[len(stack)-1]
		}
		stack = append(stack, int32(i))
	}
	return &Aliases{entries: out, parent: parent, table: newLPM(ps)}, nil
}

// LookupPrefix returns the alias of the most specific aliased network
// holding all of p.
func (a *Aliases) LookupPrefix(p netip.Prefix) (Alias, bool) {
	if a == nil || len(a.entries) == 0 || !p.IsValid() {
		return Alias{}, false
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	i := a.table.lookup(p.Masked().Addr())
	for i >= 0 && a.entries[i].Prefix.Bits() > p.Bits() {
		i = a.parent[i]
	}
	if i < 0 {
		return Alias{}, false
	}
	return a.entries[i], true
}

// Lookup returns the alias of the most specific aliased network holding a.
func (a *Aliases) Lookup(addr netip.Addr) (Alias, bool) {
	if a == nil || len(a.entries) == 0 {
		return Alias{}, false
	}
	i := a.table.lookup(addr)
	if i < 0 {
		return Alias{}, false
	}
	return a.entries[i], true
}

// Len returns the number of aliases.
func (a *Aliases) Len() int {
	if a == nil {
		return 0
	}
	return len(a.entries)
}

// All returns the aliases ordered by network (IPv4 first, then by address
// and prefix length). The caller owns the slice.
func (a *Aliases) All() []Alias {
	if a == nil {
		return nil
	}
	return slices.Clone(a.entries)
}

// Merge returns the aliases of a and b together (see NewAliases for
// duplicates).
func Merge(a, b *Aliases) (*Aliases, error) {
	return NewAliases(append(a.All(), b.All()...))
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// normPrefix validates p and unmaps IPv4-mapped IPv6 prefixes.
func normPrefix(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return p, fmt.Errorf("no valid address or CIDR")
	}
	a := p.Addr()
	if a.Zone() != "" {
		return p, fmt.Errorf("%s: zoned addresses cannot be aliased", p)
	}
	if a.Is4In6() {
		if p.Bits() < 96 {
			return p, fmt.Errorf("%s mixes the IPv4-mapped range with other IPv6 addresses: give an IPv4 CIDR", p)
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	if m := p.Masked(); m != p {
		return p, fmt.Errorf("%s has host bits set: use %s for the network or %s for the address alone",
			p, m, netip.PrefixFrom(p.Addr(), p.Addr().BitLen()))
	}
	return p, nil
}

// parseAddrOrPrefix parses "10.0.0.5", "10.0.0.0/24" or IPv6 forms.
func parseAddrOrPrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Prefix{}, fmt.Errorf("empty address: give an IP address or a CIDR such as 10.0.0.0/24")
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, fmt.Errorf("%q is not a CIDR (e.g. 10.0.0.0/24 or 2600:1f18::/56)", s)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, fmt.Errorf("%q is not an IP address or a CIDR (e.g. 10.0.0.5 or 10.0.0.0/24)", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return normPrefix(p)
}

// checkText validates a name or kind: valid UTF-8, printable, bounded.
func checkText(what, s string, max int, required bool) error {
	switch {
	case s == "" && required:
		return fmt.Errorf("empty %s", what)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s is not valid UTF-8", what)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%s %.40q... is longer than %d characters", what, s, max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return fmt.Errorf("%s %q holds a control character", what, s)
		}
	}
	return nil
}

// maxErrors is the number of bad entries reported before giving up.
const maxErrors = 20

// joinErrors reports up to maxErrors problems, one per line.
func joinErrors(errs []string) error {
	if len(errs) > maxErrors {
		n := len(errs) - maxErrors
		errs = append(errs[:maxErrors:maxErrors], fmt.Sprintf("... and %d more problems", n))
	}
	return &ListError{Problems: errs}
}

// ListError lists the problems of an alias file or table, each naming its
// file and line ("aliases.yaml:12: ...").
type ListError struct {
	Problems []string
}

func (e *ListError) Error() string { return strings.Join(e.Problems, "\n") }
