package render

import (
	"bytes"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with testdata/name, or rewrites the file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test -run %s -update to create it)", path, err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// setText stores the AWS text spelling v of field id in r. It is the test
// suite's own tiny converter (the real parser lives in internal/parse).
func setText(r *flowlog.Record, id flowlog.FieldID, v string) error {
	ok := true
	switch id.Kind() {
	case flowlog.KindString:
		*r.StringPtr(id) = v
	case flowlog.KindAddr:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return err
		}
		*r.AddrPtr(id) = a
	case flowlog.KindAction:
		r.Action, ok = flowlog.ParseAction([]byte(v))
	case flowlog.KindLogStatus:
		r.Status, ok = flowlog.ParseLogStatus([]byte(v))
	case flowlog.KindTrafficType:
		r.Type, ok = flowlog.ParseTrafficType([]byte(v))
	case flowlog.KindFlowDirection:
		r.Direction, ok = flowlog.ParseFlowDirection([]byte(v))
	default:
		u, err := strconv.ParseUint(v, 10, 64)
		if err != nil || u > flowlog.MaxUint(id) {
			return fmt.Errorf("%s: bad number %q", id, v)
		}
		r.SetUint(id, u)
	}
	if !ok {
		return fmt.Errorf("%s: bad value %q", id, v)
	}
	r.Present.Add(id)
	return nil
}

// mkRecord builds a record of format f from one space separated AWS text
// line ('-' is absent).
func mkRecord(t testing.TB, f *parse.Format, line string) flowlog.Record {
	t.Helper()
	tokens := strings.Split(line, " ")
	if len(tokens) != f.Len() {
		t.Fatalf("%d tokens for %d fields: %q", len(tokens), f.Len(), line)
	}
	var r flowlog.Record
	for i, id := range f.Fields {
		if id == flowlog.FieldInvalid {
			if tokens[i] == "-" {
				tokens[i] = ""
			}
			r.Extra = append(r.Extra, tokens[i])
			continue
		}
		if tokens[i] == "-" {
			continue
		}
		if err := setText(&r, id, tokens[i]); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
	}
	return r
}

func mustFormat(t testing.TB, s string) *parse.Format {
	t.Helper()
	f, err := parse.ParseFormat(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
