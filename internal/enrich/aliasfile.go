package enrich

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxAliasFile is the largest alias file read (64 MiB).
const MaxAliasFile = 64 << 20

// LoadAliases reads an alias file: YAML (.yaml, .yml) or CSV (.csv); other
// names are sniffed (see ParseAliases).
func LoadAliases(path string) (*Aliases, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("aliases: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxAliasFile+1))
	if err != nil {
		return nil, fmt.Errorf("aliases: %s: %w", path, err)
	}
	if len(data) > MaxAliasFile {
		return nil, fmt.Errorf("aliases: %s is larger than %d MiB: is it really an alias file?", path, MaxAliasFile>>20)
	}
	return ParseAliases(path, data)
}

// ParseAliases parses the alias file named name (used in errors and to
// choose the syntax).
//
// YAML is either a list of entries or a map, at the top level or under an
// "aliases:" key:
//
//	aliases:
//	  - {name: web-lb, cidr: 10.0.0.0/28, kind: lb}
//	  - {name: db-primary, ip: 10.0.2.15}
//
//	web-lb: 10.0.0.0/28                  # name: address or CIDR
//	db-primary: {ip: 10.0.2.15, kind: db}
//	10.0.3.7: cache-1                    # address or CIDR: name
//	10.0.3.8: {name: cache-2, kind: cache}
//
// CSV lines are "cidr,name[,kind]" (the cidr column may hold a single
// address); '#' starts a comment line. An optional header line names the
// columns (cidr or ip, name, kind) in any order.
//
// Files named *.yaml or *.yml are YAML and *.csv are CSV; for other names,
// a file whose first meaningful line starts with "- ", holds ": " or ends
// with ':' is YAML, anything else CSV.
func ParseAliases(name string, data []byte) (*Aliases, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var entries []Alias
	var err error
	if isYAML(name, data) {
		entries, err = parseAliasesYAML(name, data)
	} else {
		entries, err = parseAliasesCSV(name, data)
	}
	if err != nil {
		return nil, err
	}
	return NewAliases(entries)
}

func isYAML(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return true
	case ".csv":
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		l := strings.TrimSpace(line)
		if l == "" || l[0] == '#' || l == "---" {
			continue
		}
		return strings.HasPrefix(l, "- ") || l == "-" || strings.Contains(l, ": ") || strings.HasSuffix(l, ":")
	}
	return false
}

func parseAliasesYAML(name string, data []byte) ([]Alias, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("aliases: %s: not valid YAML: %w", name, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.MappingNode && len(root.Content) == 2 && root.Content[0].Value == "aliases" &&
		(root.Content[1].Kind == yaml.SequenceNode || root.Content[1].Kind == yaml.MappingNode && !isEntry(root.Content[1])) {
		root = root.Content[1]
	}
	p := yamlParser{name: name}
	switch root.Kind {
	case yaml.SequenceNode:
		for _, item := range root.Content {
			p.item(item)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			p.pair(root.Content[i], root.Content[i+1])
		}
	case yaml.ScalarNode:
		if root.Tag == "!!null" {
			return nil, nil
		}
		fallthrough
	default:
		p.errf(root, "expected a list of {name, cidr, kind} entries or a map of name: cidr")
	}
	if len(p.errs) > 0 {
		return nil, joinErrors(p.errs)
	}
	return p.out, nil
}

// isEntry reports whether a mapping is one {name, cidr|ip, kind} entry.
func isEntry(n *yaml.Node) bool {
	for i := 0; i < len(n.Content); i += 2 {
		switch strings.ToLower(n.Content[i].Value) {
		case "name", "cidr", "ip", "kind":
		default:
			return false
		}
	}
	return true
}

type yamlParser struct {
	name string
	out  []Alias
	errs []string
}

func (p *yamlParser) errf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Sprintf("%s:%d: %s", p.name, n.Line, fmt.Sprintf(format, args...)))
}

func (p *yamlParser) src(n *yaml.Node) string { return fmt.Sprintf("%s:%d", p.name, n.Line) }

// add parses the address text of an entry defined at n.
func (p *yamlParser) add(n *yaml.Node, name, addr, kind string) {
	pfx, err := parseAddrOrPrefix(addr)
	if err != nil {
		p.errf(n, "%s: %v", name, err)
		return
	}
	p.out = append(p.out, Alias{Name: name, Kind: kind, Prefix: pfx, Source: p.src(n)})
}

// fields reads a {name, cidr|ip, kind} mapping.
func (p *yamlParser) fields(n *yaml.Node) (map[string]string, bool) {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "expected a mapping with name, cidr (or ip) and kind")
		return nil, false
	}
	f := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := strings.ToLower(k.Value)
		switch key {
		case "name", "cidr", "ip", "kind":
		default:
			p.errf(k, "unknown key %q: use name, cidr (or ip) and kind", k.Value)
			return nil, false
		}
		if v.Kind != yaml.ScalarNode {
			p.errf(v, "%s must be a single value", key)
			return nil, false
		}
		if _, dup := f[key]; dup {
			p.errf(k, "%s given twice", key)
			return nil, false
		}
		f[key] = v.Value
	}
	if _, ok := f["cidr"]; ok {
		if _, ok := f["ip"]; ok {
			p.errf(n, "give cidr or ip, not both")
			return nil, false
		}
	}
	if ip, ok := f["ip"]; ok {
		f["cidr"] = ip
	}
	return f, true
}

// item is one entry of a list.
func (p *yamlParser) item(n *yaml.Node) {
	f, ok := p.fields(n)
	if !ok {
		return
	}
	if strings.TrimSpace(f["name"]) == "" {
		p.errf(n, "entry without a name: add name: ...")
		return
	}
	if _, ok := f["cidr"]; !ok {
		p.errf(n, "%s: no cidr or ip", f["name"])
		return
	}
	p.add(n, f["name"], f["cidr"], f["kind"])
}

// pair is one key: value of a map.
func (p *yamlParser) pair(k, v *yaml.Node) {
	if k.Kind != yaml.ScalarNode {
		p.errf(k, "keys must be names or addresses")
		return
	}
	_, keyErr := parseAddrOrPrefix(k.Value)
	keyIsAddr := keyErr == nil || looksLikeAddr(k.Value)
	if v.Kind == yaml.ScalarNode {
		if keyIsAddr {
			p.add(k, v.Value, k.Value, "") // 10.0.3.7: cache-1
		} else {
			p.add(k, k.Value, v.Value, "") // cache-1: 10.0.3.7
		}
		return
	}
	f, ok := p.fields(v)
	if !ok {
		return
	}
	if keyIsAddr {
		if _, ok := f["cidr"]; ok {
			p.errf(k, "%s: the key is the address: do not repeat it as cidr", k.Value)
			return
		}
		if strings.TrimSpace(f["name"]) == "" {
			p.errf(k, "%s: no name", k.Value)
			return
		}
		p.add(k, f["name"], k.Value, f["kind"])
		return
	}
	if n, ok := f["name"]; ok && n != k.Value {
		p.errf(k, "%s: the key is the name: do not give another name (%q)", k.Value, n)
		return
	}
	if _, ok := f["cidr"]; !ok {
		p.errf(k, "%s: no cidr or ip", k.Value)
		return
	}
	p.add(k, k.Value, f["cidr"], f["kind"])
}

// looksLikeAddr reports whether s was meant as an address: digits and dots
// with a slash, or colons (a name never holds ':' in a YAML key by accident).
func looksLikeAddr(s string) bool {
	s = strings.TrimSpace(s)
	if strings.Count(s, ":") >= 2 {
		return true
	}
	return s != "" && strings.Trim(s, "0123456789./") == ""
}

func parseAliasesCSV(name string, data []byte) ([]Alias, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	cols := [3]int{0, 1, 2} // cidr, name, kind
	width := 0              // columns of the header; 0 without a header
	var out []Alias
	var errs []string
	first := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, fmt.Sprintf("%s:%d: %v", name, pe.Line, pe.Err))
				if len(errs) > maxErrors {
					break
				}
				continue
			}
			return nil, fmt.Errorf("aliases: %s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		where := fmt.Sprintf("%s:%d", name, line)
		if first {
			first = false
			h, ok, herr := csvHeader(rec)
			if herr != nil {
				errs = append(errs, where+": "+herr.Error())
				break
			}
			if ok {
				cols, width = h, len(rec)
				continue
			}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(c int) string {
			if c >= 0 && c < len(rec) {
				return strings.TrimSpace(rec[c])
			}
			return ""
		}
		switch {
		case width > 0 && len(rec) != width:
			errs = append(errs, fmt.Sprintf("%s: %d columns where the header has %d", where, len(rec), width))
			continue
		case width == 0 && (len(rec) < 2 || len(rec) > 3):
			errs = append(errs, fmt.Sprintf("%s: %d columns: want cidr,name[,kind]", where, len(rec)))
			continue
		}
		pfx, err := parseAddrOrPrefix(get(cols[0]))
		if err != nil {
			errs = append(errs, where+": "+err.Error())
			continue
		}
		out = append(out, Alias{Name: get(cols[1]), Kind: get(cols[2]), Prefix: pfx, Source: where})
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return out, nil
}

// csvHeader recognises a header line and returns the column of cidr, name
// and kind (-1 when absent).
func csvHeader(rec []string) ([3]int, bool, error) {
	cols := [3]int{-1, -1, -1}
	isHeader := false
	for i, f := range rec {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "cidr", "ip", "prefix", "address", "network":
			cols[0] = i
			isHeader = true
		case "name", "alias":
			cols[1] = i
			isHeader = true
		case "kind", "type", "role":
			cols[2] = i
		}
	}
	if !isHeader {
		return cols, false, nil
	}
	if cols[0] < 0 || cols[1] < 0 {
		return cols, false, fmt.Errorf("header %q needs a cidr (or ip) column and a name column", strings.Join(rec, ","))
	}
	return cols, true, nil
}
