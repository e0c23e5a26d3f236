package generate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

func smallConfig(records int64) Configuration {
	cfg := DefaultConfiguration()
	cfg.Records = records
	cfg.Duration = 30 * time.Minute
	return cfg
}

// allVPCFieldsFormat has every VPC flow log field (versions 2 to 11).
func allVPCFieldsFormat() *parse.Format {
	var ids []flowlog.FieldID
	for _, f := range flowlog.Fields() {
		if !tgwFields.Has(f.ID) {
			ids = append(ids, f.ID)
		}
	}
	return parse.FormatOf(ids...)
}

func mustFormat(t testing.TB, s string) *parse.Format {
	t.Helper()
	f, err := parse.ParseFormat(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func flat(t testing.TB, cfg Configuration) ([]byte, *Summary) {
	t.Helper()
	var b bytes.Buffer
	sum, err := WriteFlat(context.Background(), cfg, &b)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), sum
}

// collect returns every record of cfg, copied.
func collect(t testing.TB, cfg Configuration) ([]flowlog.Record, *Inventory) {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []flowlog.Record
	var r flowlog.Record
	for g.Next(&r) {
		out = append(out, r)
	}
	return out, g.Inventory()
}

// each calls f with every record of cfg (valid during the call) and
// returns the inventory with counts.
func each(t testing.TB, cfg Configuration, f func(i int, r *flowlog.Record)) *Inventory {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var r flowlog.Record
	for i := 0; g.Next(&r); i++ {
		f(i, &r)
	}
	return g.Inventory()
}

func TestDeterminism(t *testing.T) {
	cfg := smallConfig(20000)
	a, _ := flat(t, cfg)
	b, _ := flat(t, cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("same configuration gave different bytes")
	}
	other := cfg
	other.Seed = 2
	c, _ := flat(t, other)
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave identical bytes")
	}
	// Generator.Next produces the same records as WriteFlat.
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte(g.Format().Header()), '\n')
	var r flowlog.Record
	for g.Next(&r) {
		want = append(g.Format().AppendLine(want, &r), '\n')
	}
	if !bytes.Equal(a, want) {
		t.Fatal("Generator.Next and WriteFlat disagree")
	}
	// Layout, workers and gzip do not change the records.
	cfg.Layout, cfg.Workers, cfg.Gzip = LayoutHive, 1, true
	d, _ := flat(t, cfg)
	if plain := gunzip(t, d); !bytes.Equal(a, plain) {
		t.Fatal("layout, workers or gzip changed the records")
	}
}

func TestExactRecordCount(t *testing.T) {
	f := func(records int64, d time.Duration, objects int, wantUnits int) {
		t.Helper()
		cfg := DefaultConfiguration()
		cfg.Records, cfg.Duration, cfg.Objects = records, d, objects
		g, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(g.w.plan.units); got != wantUnits {
			t.Errorf("records %d over %s, objects %d: %d units, want %d", records, d, objects, got, wantUnits)
		}
		var n int64
		var r flowlog.Record
		for g.Next(&r) {
			n++
		}
		if n != records {
			t.Errorf("records %d over %s: got %d", records, d, n)
		}
	}
	f(1, time.Second, 0, 1)
	f(7, time.Hour, 0, 12)
	f(1000, 7*time.Minute, 0, 2)
	f(12345, time.Hour, 24, 24)
	f(12345, time.Hour, 100, 96)
	f(99999, 24*time.Hour, 0, 288)
}

func TestRateAndStart(t *testing.T) {
	cfg := DefaultConfiguration()
	cfg.Start = time.Date(2026, 3, 1, 10, 2, 30, 0, time.UTC) // not on a 5-minute boundary
	cfg.Duration, cfg.Rate = 10*time.Minute, 50
	recs, inv := collect(t, cfg)
	if len(recs) != 30000 {
		t.Fatalf("rate 50/s over 10m: %d records, want 30000", len(recs))
	}
	from, to := cfg.Start.Unix(), cfg.Start.Add(cfg.Duration).Unix()
	for i := range recs {
		if recs[i].End < from || recs[i].End >= to {
			t.Fatalf("record %d: end %d outside [%d, %d)", i, recs[i].End, from, to)
		}
	}
	if !inv.Start.Equal(cfg.Start) || !inv.End.Equal(cfg.Start.Add(cfg.Duration)) {
		t.Errorf("inventory span %s–%s", inv.Start, inv.End)
	}
}

func TestConfigurationErrors(t *testing.T) {
	f := func(change func(*Configuration), want string) {
		t.Helper()
		cfg := DefaultConfiguration()
		change(&cfg)
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got error %v, want one containing %q", err, want)
		}
	}
	f(func(c *Configuration) { c.Duration = 0 }, "duration must be positive")
	f(func(c *Configuration) { c.Records = -1 }, "records must not be negative")
	f(func(c *Configuration) { c.Rate = 0 }, "nothing to generate")
	f(func(c *Configuration) { c.AggregationInterval = 5 * time.Minute }, "1m or 10m")
	f(func(c *Configuration) { c.Account = "12345" }, "12-digit")
	f(func(c *Configuration) { c.Region = "moon" }, "region")
	f(func(c *Configuration) { c.ENIs = 3 }, "ENIs must be between")
	f(func(c *Configuration) { c.Layout = "tree" }, `unknown layout "tree"`)
	f(func(c *Configuration) { c.OrgID = "org1" }, "o-xxxxxxxxxx")
	f(func(c *Configuration) { c.Prefix = "x/AWSLogs" }, "AWSLogs")
	f(func(c *Configuration) { c.GzipLevel = 42 }, "gzip level")
	f(func(c *Configuration) { c.Rate, c.Duration = 0.001, time.Second }, "less than one record")
	var l Layout
	if err := l.UnmarshalText([]byte(" HIVE ")); err != nil || l != LayoutHive {
		t.Errorf("UnmarshalText(HIVE) = %q, %v", l, err)
	}
}

// stripExtra makes records comparable: a parser keeps '-' of unknown
// columns as "" in Extra, the generator leaves Extra empty.
func stripExtra(r flowlog.Record) flowlog.Record {
	for _, x := range r.Extra {
		if x != "" {
			return r
		}
	}
	r.Extra = nil
	return r
}

// TestParseRoundTrip checks that every record of every kind of format
// parses back, with the lead's parser, to exactly the generated record.
func TestParseRoundTrip(t *testing.T) {
	formats := map[string]*parse.Format{
		"default":   parse.DefaultFormat(),
		"v3":        mustFormat(t, "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}"),
		"v5":        mustFormat(t, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path"),
		"all-vpc":   allVPCFieldsFormat(),
		"tgw":       TransitGatewayFormat(),
		"unknown":   mustFormat(t, "srcaddr dstaddr future-field bytes interface-id end"),
		"ecs-v7-v9": mustFormat(t, "ecs-cluster-name ecs-task-id ecs-container-id ecs-second-container-id reject-reason resource-id srcaddr dstaddr"),
	}
	for name, f := range formats {
		t.Run(name, func(t *testing.T) {
			cfg := smallConfig(8000)
			cfg.Format = f
			want, _ := collect(t, cfg)
			text, _ := flat(t, cfg)
			rd := parse.NewReader(bytes.NewReader(text), name, parse.DefaultConfig())
			batch := make([]flowlog.Record, 512)
			var got []flowlog.Record
			for {
				n, err := rd.Read(batch)
				for i := 0; i < n; i++ {
					got = append(got, batch[i])
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			st := rd.Stats()
			if st.MalformedTotal() != 0 {
				t.Fatalf("%d malformed lines, first: %v", st.MalformedTotal(), st.Errors)
			}
			if st.Headers != 1 || len(got) != len(want) {
				t.Fatalf("parsed %d records and %d headers, want %d and 1", len(got), st.Headers, len(want))
			}
			for i := range want {
				if w, g := stripExtra(want[i]), stripExtra(got[i]); !reflect.DeepEqual(w, g) {
					t.Fatalf("record %d differs after a round trip:\n generated %+v\n parsed    %+v", i, w, g)
				}
			}
		})
	}
}

// TestParseStreamParallel parses a large flat stream on two workers.
func TestParseStreamParallel(t *testing.T) {
	cfg := smallConfig(60000)
	cfg.Format = allVPCFieldsFormat()
	text, sum := flat(t, cfg)
	var n [2]int64
	st, err := parse.ParseStream(context.Background(), bytes.NewReader(text), "flat", parse.DefaultConfig(), 2, func(w int, b []flowlog.Record) error {
		n[w] += int64(len(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.MalformedTotal() != 0 || n[0]+n[1] != sum.Records || st.Records != sum.Records {
		t.Fatalf("parsed %d (stats %d, malformed %d), want %d", n[0]+n[1], st.Records, st.MalformedTotal(), sum.Records)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := smallConfig(500000)
	if _, err := WriteFlat(ctx, cfg, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFlat with a cancelled context: %v", err)
	}
	dir := t.TempDir()
	if _, err := WriteTree(ctx, cfg, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteTree with a cancelled context: %v", err)
	}
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(b []byte) (int, error) {
	if f.after -= len(b); f.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(b), nil
}

func TestWriteError(t *testing.T) {
	_, err := WriteFlat(context.Background(), smallConfig(200000), &failingWriter{after: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v, want the write error", err)
	}
}

func TestProgress(t *testing.T) {
	cfg := smallConfig(50000)
	cfg.Objects = 12
	var last Progress
	calls := 0
	cfg.Progress = func(p Progress) {
		if p.Records < last.Records || p.Objects < last.Objects {
			t.Errorf("progress went back: %+v after %+v", p, last)
		}
		last = p
		calls++
	}
	sum, err := WriteTree(context.Background(), cfg, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if calls != len(sum.Objects) || last.Records != 50000 || last.TotalRecords != 50000 ||
		last.Objects != len(sum.Objects) || last.TotalObjects != len(sum.Objects) || last.Bytes != sum.TextBytes {
		t.Errorf("final progress %+v after %d calls; summary %d objects, %d bytes", last, calls, len(sum.Objects), sum.TextBytes)
	}
}

// TestObjectSizeCap checks that windows too big for one 75 MB object are
// split, as AWS does.
func TestObjectSizeCap(t *testing.T) {
	cfg := DefaultConfiguration()
	cfg.Records, cfg.Duration = 10_000_000, 5*time.Minute
	p, err := newPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	perObject := cfg.Records / int64(len(p.units)) * int64(estimateLineBytes(p.format))
	if len(p.units) < 2 || perObject > MaxObjectBytes {
		t.Fatalf("%d objects of ~%d bytes for 10M records in one window", len(p.units), perObject)
	}
}
