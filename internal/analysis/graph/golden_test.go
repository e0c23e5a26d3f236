package graph

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/enrich"
)

var update = flag.Bool("update", false, "rewrite the expected files of the golden tests")

// goldenCases configure the graph of testdata/<case>/input.log (with
// testdata/<case>/aliases.csv as aliases when present).
var goldenCases = map[string]func(t *testing.T, cfg *Configuration){
	"basic": func(t *testing.T, cfg *Configuration) {},
	"service-aliases": func(t *testing.T, cfg *Configuration) {
		cfg.Group.Kind = GroupService
		cfg.MaxNodes = 8
		cfg.TopPorts = 2
	},
	"subnet": func(t *testing.T, cfg *Configuration) {
		cfg.Group.Kind = GroupSubnet
		cfg.AWSServices = true
		cfg.Subnets = mustSubnets(t, subnet("subnet-a", "vpc-1", "use1-az1", "10.0.1.0/24"),
			enrich.Subnet{ID: "subnet-dns", Name: "prod-dns", VPCID: "vpc-1", AZID: "use1-az1",
				Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/28")}})
	},
}

func TestGolden(t *testing.T) {
	for name, setup := range goldenCases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			in, err := os.ReadFile(filepath.Join(dir, "input.log"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfiguration()
			if _, err := os.Stat(filepath.Join(dir, "aliases.csv")); err == nil {
				if cfg.Aliases, err = enrich.LoadAliases(filepath.Join(dir, "aliases.csv")); err != nil {
					t.Fatal(err)
				}
			}
			setup(t, &cfg)
			g, err := FromRecords(parseLines(t, string(in)), cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []Format{FormatJSON, FormatDOT, FormatGraphML} {
				var buf bytes.Buffer
				if err := Write(&buf, g, f); err != nil {
					t.Fatal(err)
				}
				checkSyntax(t, f, buf.Bytes())
				path := filepath.Join(dir, "expected."+string(f))
				if *update {
					if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", f, path, firstDiff(buf.String(), string(want)))
				}
			}
		})
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + a + "\nwant: " + b
		}
	}
	return ""
}

// checkSyntax checks that an export parses: JSON decodes, XML is well
// formed and every data key is declared, DOT quotes balance.
func checkSyntax(t *testing.T, f Format, b []byte) {
	t.Helper()
	switch f {
	case FormatJSON:
		var v struct {
			Nodes []map[string]any `json:"nodes"`
			Edges []struct {
				Src, Dst string
				Count    uint64
			} `json:"edges"`
		}
		if err := json.Unmarshal(b, &v); err != nil || v.Nodes == nil {
			t.Fatalf("json: %v", err)
		}
	case FormatGraphML:
		dec := xml.NewDecoder(bytes.NewReader(b))
		keys := map[string]bool{}
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("graphml is not well-formed XML: %v", err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				for _, a := range se.Attr {
					if se.Name.Local == "key" && a.Name.Local == "id" {
						keys[a.Value] = true
					}
					if se.Name.Local == "data" && a.Name.Local == "key" && !keys[a.Value] {
						t.Fatalf("graphml: data key %q is not declared", a.Value)
					}
				}
			}
		}
	case FormatDOT:
		s := strings.ReplaceAll(string(b), `\\`, "")
		s = strings.ReplaceAll(s, `\"`, "")
		if strings.Count(s, `"`)%2 != 0 || !strings.HasSuffix(s, "}\n") {
			t.Fatalf("dot: unbalanced quotes or braces")
		}
	}
}

// TestDOTGraphviz renders the DOT golden files with Graphviz when it is
// installed.
func TestDOTGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz (dot) is not installed")
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "*", "expected.dot"))
	if len(paths) == 0 {
		t.Fatal("no golden DOT files")
	}
	for _, p := range paths {
		cmd := exec.Command(dot, "-Tsvg", "-o", os.DevNull, p)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("dot %s: %v\n%s", p, err, out)
		}
	}
}

func TestWriteFormats(t *testing.T) {
	if _, err := ParseFormat("svg"); err == nil {
		t.Error("ParseFormat(svg): no error")
	}
	if f, err := ParseFormat("GV"); err != nil || f != FormatDOT {
		t.Errorf("ParseFormat(GV) = %q %v", f, err)
	}
	g := &Graph{Nodes: []Node{}}
	if err := Write(io.Discard, g, FormatHTML); !errors.Is(err, ErrNoEncoder) {
		t.Errorf("html without encoder: %v", err)
	}
	called := false
	err := WriteWith(io.Discard, g, FormatHTML, map[Format]Encoder{FormatHTML: func(io.Writer, *Graph) error { called = true; return nil }})
	if err != nil || !called {
		t.Errorf("html with an encoder: %v (called %v)", err, called)
	}
	if got := dotString("a\"b\\c\nd\x01e"); got != `"a\"b\\c\nd e"` {
		t.Errorf("dotString = %s", got)
	}
}
