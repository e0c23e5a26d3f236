package enrich

import (
	"bytes"
	"encoding/csv"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// describe renders aliases as "cidr=name/kind@source" lines.
func describe(a *Aliases) string {
	var b strings.Builder
	for _, e := range a.All() {
		b.WriteString(e.Prefix.String() + "=" + e.Name + "/" + e.Kind + "@" + e.Source + "\n")
	}
	return b.String()
}

func TestParseAliases(t *testing.T) {
	f := func(name, in, want string) {
		t.Helper()
		a, err := ParseAliases(name, []byte(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if got := describe(a); got != want {
			t.Errorf("%s:\ngot:\n%swant:\n%s", name, got, want)
		}
	}
	f("a.yaml", `
- {name: web-lb, cidr: 10.0.0.0/28, kind: lb}
- name: db-primary
  ip: 10.0.2.15
  kind: db
- {name: v6, cidr: "2600:1f18::/56"}
`, "10.0.0.0/28=web-lb/lb@a.yaml:2\n10.0.2.15/32=db-primary/db@a.yaml:3\n2600:1f18::/56=v6/@a.yaml:6\n")
	f("b.yml", `
web-lb: 10.0.0.0/28
db-primary: {ip: 10.0.2.15, kind: db}
10.0.3.7: cache-1
10.0.3.8: {name: cache-2, kind: cache}
"2600::1": six
`, "10.0.0.0/28=web-lb/@b.yml:2\n10.0.2.15/32=db-primary/db@b.yml:3\n10.0.3.7/32=cache-1/@b.yml:4\n10.0.3.8/32=cache-2/cache@b.yml:5\n2600::1/128=six/@b.yml:6\n")
	f("c.yaml", "aliases:\n  - {name: x, ip: 10.0.0.1}\n", "10.0.0.1/32=x/@c.yaml:2\n")
	f("d.yaml", "aliases: {x: 10.0.0.1}\n", "10.0.0.1/32=x/@d.yaml:1\n")
	f("e.yaml", "aliases: {ip: 10.0.0.1}\n", "10.0.0.1/32=aliases/@e.yaml:1\n") // an entry named aliases
	f("empty.yaml", "# nothing yet\n", "")
	f("null.yaml", "~\n", "")
	f("a.csv", "10.0.0.0/28,web-lb,lb\n# comment\n\n10.0.2.15, db-primary\n\"2600::/16\",\"six, seven\"\n",
		"10.0.0.0/28=web-lb/lb@a.csv:1\n10.0.2.15/32=db-primary/@a.csv:4\n2600::/16=six, seven/@a.csv:5\n")
	f("h.csv", "name,kind,ip\nweb,lb,10.0.0.1\n", "10.0.0.1/32=web/lb@h.csv:2\n")
	f("bom.csv", "\xef\xbb\xbfcidr,name\n10.0.0.1,web\n", "10.0.0.1/32=web/@bom.csv:2\n")
	// Sniffing for other names.
	f("aliases", "web: 10.0.0.1\n", "10.0.0.1/32=web/@aliases:1\n")
	f("aliases.txt", "# list\n- {name: web, ip: 10.0.0.1}\n", "10.0.0.1/32=web/@aliases.txt:2\n")
	f("aliases.conf", "2600::1,six\n", "2600::1/128=six/@aliases.conf:1\n")
}

func TestParseAliasesErrors(t *testing.T) {
	f := func(name, in string, want ...string) {
		t.Helper()
		_, err := ParseAliases(name, []byte(in))
		if err == nil {
			t.Errorf("%s: no error, want %q", name, want)
			return
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error\n%v\nwant it to contain %q", name, err, w)
			}
		}
	}
	f("a.yaml", "- {name: a, cidr: 10.0.0.0/24}\n- {name: b, cidr: 10.0.0.0/24}\n", `a.yaml:2: 10.0.0.0/24 is already named "a" at a.yaml:1`)
	f("a.yaml", "- {name: a, cidr: 10.0.0.5/24}\n", "a.yaml:1: a: 10.0.0.5/24 has host bits set")
	f("a.yaml", "- {name: a, cidr: 10.0.0.0/24}\n- {name: b}\n", "a.yaml:2: b: no cidr or ip")
	f("a.yaml", "- {cidr: 10.0.0.0/24}\n", "a.yaml:1: entry without a name")
	f("a.yaml", "- {name: a, cidr: 10.0.0.0/24, colour: red}\n", `a.yaml:1: unknown key "colour"`)
	f("a.yaml", "- {name: a, cidr: 10.0.0.0/24, ip: 10.0.0.1}\n", "give cidr or ip, not both")
	f("a.yaml", "- {name: a, cidr: [10.0.0.0/24]}\n", "cidr must be a single value")
	f("a.yaml", "web: not-an-ip\n", `a.yaml:1: web: "not-an-ip" is not an IP address`)
	f("a.yaml", "10.0.0.1: {name: x, ip: 10.0.0.1}\n", "the key is the address")
	f("a.yaml", "web: {name: other, ip: 10.0.0.1}\n", "the key is the name")
	f("a.yaml", "just text\n", "a.yaml:1: expected a list")
	f("a.yaml", "- a\n  b: [\n", "not valid YAML")
	f("a.yaml", "10.0.0.300: x\n", `"10.0.0.300" is not an IP address`)
	f("a.csv", "10.0.0.0/24\n", "a.csv:1: 1 columns: want cidr,name[,kind]")
	f("a.csv", "10.0.0.0/24,a,b,c\n", "a.csv:1: 4 columns")
	f("a.csv", "10.0.0.0/24,a\nbogus,b\n10.0.0.1/33,c\n", "a.csv:2: \"bogus\" is not an IP", "a.csv:3: \"10.0.0.1/33\" is not a CIDR")
	f("a.csv", "10.0.0.0/24,a\n10.0.0.0/24,b\n", `a.csv:2: 10.0.0.0/24 is already named "a" at a.csv:1`)
	f("a.csv", "10.0.0.0/24,\"a\n", "a.csv:1:")
	f("a.csv", "cidr,name\n10.0.0.1,a,extra\n", "a.csv:2: 3 columns where the header has 2")
	f("a.csv", "cidr,kind\n10.0.0.1,a\n", "needs a cidr (or ip) column and a name column")
	f("a.csv", "10.0.0.0/24,\n", "a.csv:1: empty name")
}

func TestLoadAliases(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "known.csv")
	if err := os.WriteFile(path, []byte("10.0.0.1,web\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := LoadAliases(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := a.Lookup(netip.MustParseAddr("10.0.0.1")); !ok || got.Source != path+":1" {
		t.Errorf("lookup = %+v", got)
	}
	if _, err := LoadAliases(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// writeCSV prints aliases in the CSV syntax, with a header.
func writeCSV(a *Aliases) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"cidr", "name", "kind"})
	for _, e := range a.All() {
		w.Write([]string{e.Prefix.String(), e.Name, e.Kind})
	}
	w.Flush()
	return buf.Bytes()
}

func FuzzParseAliases(f *testing.F) {
	seeds := []string{
		"- {name: web-lb, cidr: 10.0.0.0/28, kind: lb}\n- {name: db, ip: 10.0.2.15}\n",
		"web: 10.0.0.0/28\n10.0.3.7: cache-1\n10.0.3.8: {name: c2, kind: cache}\n",
		"aliases:\n  - {name: x, ip: \"2600::1\"}\n",
		"10.0.0.0/28,web-lb,lb\n# c\n10.0.2.15,db\n",
		"cidr,name,kind\n::ffff:10.0.0.0/104,mapped,x\n",
		"name,ip\n\"a,b\",10.0.0.1\n",
		"- {name: a, cidr: 10.0.0.5/24}\n",
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	names := []string{"a.yaml", "a.csv", "aliases"}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := names[int(which)%len(names)]
		a, err := ParseAliases(name, data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		for _, e := range a.All() {
			got, ok := a.Lookup(e.Prefix.Addr())
			if !ok || !got.Prefix.Contains(e.Prefix.Addr()) || got.Prefix.Bits() < e.Prefix.Bits() {
				t.Fatalf("Lookup(%s) = %v %v, want %s or more specific", e.Prefix.Addr(), got, ok, e.Prefix)
			}
		}
		// print → parse gives the same aliases.
		b, err := ParseAliases("round.csv", writeCSV(a))
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, writeCSV(a))
		}
		x, y := a.All(), b.All()
		if len(x) != len(y) {
			t.Fatalf("reparse: %d aliases, want %d", len(y), len(x))
		}
		for i := range x {
			if x[i].Name != y[i].Name || x[i].Kind != y[i].Kind || x[i].Prefix != y[i].Prefix {
				t.Fatalf("reparse: %+v, want %+v", y[i], x[i])
			}
		}
	})
}
