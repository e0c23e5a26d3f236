package analysis

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

func TestAutoBucket(t *testing.T) {
	f := func(span, want time.Duration) {
		t.Helper()
		if got := AutoBucket(span); got != want {
			t.Errorf("AutoBucket(%s) = %s, want %s", span, got, want)
		}
	}
	f(0, time.Minute)
	f(10*time.Minute, time.Minute)
	f(300*time.Minute, time.Minute)
	f(300*time.Minute+time.Second, 5*time.Minute)
	f(4*time.Hour, time.Minute)
	f(6*time.Hour, 5*time.Minute)
	f(24*time.Hour, 5*time.Minute)
	f(25*time.Hour+time.Minute, 15*time.Minute)
	f(7*24*time.Hour, time.Hour)
	f(30*24*time.Hour, 3*time.Hour)
	f(90*24*time.Hour, 12*time.Hour)
	f(365*24*time.Hour, week)
	f(10*365*24*time.Hour, 2*week)
	// Every span of 50 minutes to 300 days gets 50 to 300 points.
	for span := 50 * time.Minute; span < 300*24*time.Hour; span = span*21/20 + time.Second {
		b := AutoBucket(span)
		if n := ceilDiv(span, b); n < 50 || n > 300 {
			t.Fatalf("AutoBucket(%s) = %s: %d points", span, b, n)
		}
	}
}

func TestBucketStart(t *testing.T) {
	f := func(at string, b time.Duration, want string) {
		t.Helper()
		tm, _ := time.Parse(time.RFC3339, at)
		if got := bucketStart(tm, b).Format(time.RFC3339); got != want {
			t.Errorf("bucketStart(%s, %s) = %s, want %s", at, b, got, want)
		}
	}
	f("2026-01-07T13:47:12Z", 5*time.Minute, "2026-01-07T13:45:00Z")
	f("2026-01-07T13:47:12Z", time.Hour, "2026-01-07T13:00:00Z")
	f("2026-01-07T13:47:12Z", 24*time.Hour, "2026-01-07T00:00:00Z")
	f("2026-01-07T13:47:12Z", week, "2026-01-05T00:00:00Z") // Monday
	f("2026-01-11T23:59:59Z", week, "2026-01-05T00:00:00Z") // Sunday
	f("1969-12-31T23:59:59Z", time.Hour, "1969-12-31T23:00:00Z")
}

func TestIsInternal(t *testing.T) {
	f := func(a string, want bool) {
		t.Helper()
		if got := IsInternal(netip.MustParseAddr(a)); got != want {
			t.Errorf("IsInternal(%s) = %v", a, got)
		}
	}
	f("10.1.2.3", true)
	f("172.16.0.1", true)
	f("172.32.0.1", false)
	f("192.168.255.255", true)
	f("100.64.0.1", true)
	f("100.128.0.1", false)
	f("fd00::1", true)
	f("2600:1f18::1", false)
	f("::ffff:10.0.0.1", true)
	f("52.94.1.1", false)
}

func TestParse(t *testing.T) {
	for _, s := range []string{"bytes", "Packets", " flows", "records", ""} {
		if _, err := ParseMetric(s); err != nil {
			t.Errorf("ParseMetric(%q): %v", s, err)
		}
	}
	if _, err := ParseMetric("octets"); err == nil || !strings.Contains(err.Error(), "bytes, packets or flows") {
		t.Errorf("ParseMetric(octets): %v", err)
	}
	for _, d := range Dimensions() {
		got, err := ParseDimension(strings.ToUpper(d.String()))
		if err != nil || got != d {
			t.Errorf("ParseDimension(%s) = %v, %v", d, got, err)
		}
	}
	if d, err := ParseDimension("port"); err != nil || d != ByDstPort {
		t.Errorf("ParseDimension(port) = %v, %v", d, err)
	}
	if _, err := ParseDimension("country"); err == nil || !strings.Contains(err.Error(), "src, dst, pair") {
		t.Errorf("ParseDimension(country): %v", err)
	}
}

func TestReportRegistry(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	names, aws := map[string]bool{}, map[string]bool{}
	count := map[string]int{}
	for _, r := range Reports() {
		if !kebab.MatchString(r.Name) || names[r.Name] || aws[r.AWSName] {
			t.Errorf("report %q: bad or duplicate name (AWS name %q)", r.Name, r.AWSName)
		}
		names[r.Name], aws[r.AWSName] = true, true
		count[r.Origin]++
		if r.Title == "" || r.Description == "" || r.AWSName == "" {
			t.Errorf("report %s: missing title, description or AWS name", r.Name)
		}
		if (r.Origin == OriginCloudWatch) != (r.AWSQuery != "") {
			t.Errorf("report %s: AWS query %q for origin %s", r.Name, r.AWSQuery, r.Origin)
		}
	}
	rs := Reports()
	for i := 1; i < len(rs); i++ {
		if rs[i-1].Origin == rs[i].Origin && rs[i-1].Name >= rs[i].Name || rs[i-1].Origin == OriginCloudWatch && rs[i].Origin == OriginAthena {
			t.Errorf("reports out of order: %s before %s", rs[i-1].Name, rs[i].Name)
		}
	}
	if count[OriginAthena] != 16 || count[OriginCloudWatch] != 7 || len(count) != 2 {
		t.Errorf("reports per origin: %v", count)
	}
}

func TestReportErrors(t *testing.T) {
	f := getFixture(t)
	check := func(name string, params map[string]string, opts Options, wants ...string) {
		t.Helper()
		_, err := RunReport(context.Background(), f.store, name, params, opts)
		if err == nil {
			t.Fatalf("report %s %v: no error", name, params)
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("report %s %v: error %q does not contain %q", name, params, err, w)
			}
		}
	}
	check("top-talker", nil, Options{}, `unknown report "top-talker"`, `did you mean "top-talkers"`, "ipv6-traffic")
	check("rejected", nil, Options{}, `did you mean "rejected-traffic"`)
	check("ipv-6", nil, Options{}, `did you mean "ipv6-traffic"`)
	check("", nil, Options{}, "no report name given")
	check("traffic-from-source", nil, Options{}, "needs parameter srcaddr", "srcaddr=10.0.1.5")
	check("traffic-from-source", map[string]string{"srcaddr": "10.0.0.300"}, Options{}, `"10.0.0.300" is not an IP address or a CIDR`)
	check("traffic-from-source", map[string]string{"srcaddr": "10.0.0.1", "port": "22"}, Options{}, "unknown parameter port", "it takes srcaddr")
	check("top-talkers", map[string]string{"cidr": "10.0.0.0/8"}, Options{}, "takes no parameters")
	check("admin-port-traffic", map[string]string{"ports": "22,ssh"}, Options{}, `"ssh" is not a port number`)
	check("subnet-top-destinations", map[string]string{"cidr": " "}, Options{}, "needs parameter cidr")
	check("top-talkers", nil, Options{Limit: -1}, "limit -1 is negative")
	// AWS names are accepted in any case.
	if _, err := RunReport(context.Background(), f.store, "vpcflowlogstoptalkers", nil, Options{Limit: 3}); err != nil {
		t.Error(err)
	}
}

func TestErrors(t *testing.T) {
	f := getFixture(t)
	ctx := context.Background()
	if _, err := Top(ctx, f.store, TopOptions{}); err == nil || !strings.Contains(err.Error(), "unknown dimension") {
		t.Errorf("Top without dimension: %v", err)
	}
	if _, err := Top(ctx, f.store, TopOptions{By: BySource, Options: Options{Limit: -5}}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative limit: %v", err)
	}
	if _, err := Top(ctx, f.store, TopOptions{By: BySrcPort, Options: Options{Resolution: store.ResolutionHour}}); err == nil || !strings.Contains(err.Error(), "resolution 1h cannot answer") {
		t.Errorf("srcport at 1h: %v", err)
	}
	if _, err := TimeSeries(ctx, f.store, SeriesOptions{Bucket: 1500 * time.Millisecond}); err == nil || !strings.Contains(err.Error(), "whole number of seconds") {
		t.Errorf("bucket 1.5s: %v", err)
	}
	long := Options{Range: store.TimeRange{Start: t0, End: t0.Add(365 * 24 * time.Hour)}}
	if _, err := TimeSeries(ctx, f.store, SeriesOptions{Options: long, Bucket: time.Minute}); err == nil || !strings.Contains(err.Error(), "choose a larger bucket") {
		t.Errorf("too many points: %v", err)
	}
	if _, err := Top(ctx, nil, TopOptions{By: BySource}); err == nil || !strings.Contains(err.Error(), "no store") {
		t.Errorf("nil store: %v", err)
	}
}

func TestEmptyStore(t *testing.T) {
	s, err := buildFixture(t.TempDir(), nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer s.store.Close()
	ctx := context.Background()
	sum, err := Summarize(ctx, s.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals != (Counts{}) || !sum.First.IsZero() || len(sum.TopTalkers.Rows) != 0 {
		t.Errorf("summary of an empty store: %+v", sum)
	}
	series, err := TimeSeries(ctx, s.store, SeriesOptions{})
	if err != nil || len(series.Points) != 0 {
		t.Errorf("series of an empty store: %v %+v", err, series)
	}
	for _, r := range Reports() {
		params := map[string]string{}
		for _, p := range r.Params {
			if p.Required {
				params[p.Name] = "10.0.0.0/8"
			}
		}
		if _, err := RunReport(ctx, s.store, r.Name, params, Options{}); err != nil {
			t.Errorf("report %s on an empty store: %v", r.Name, err)
		}
	}
}
