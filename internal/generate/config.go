package generate

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowlens/flowlens/internal/parse"
)

// Layout is how WriteTree arranges its output.
type Layout string

const (
	// LayoutFlat is one stream (one file for WriteTree), gzip optional.
	LayoutFlat Layout = "flat"
	// LayoutS3 is the default AWS S3 delivery layout:
	// AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/[HH/]<name>.log.gz.
	LayoutS3 Layout = "s3"
	// LayoutHive is the Hive-compatible S3 delivery layout:
	// AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=YYYY/month=MM/day=DD/[hour=HH/]<name>.log.gz.
	LayoutHive Layout = "hive"
)

// Layouts returns the valid layouts.
func Layouts() []Layout { return []Layout{LayoutFlat, LayoutS3, LayoutHive} }

// UnmarshalText accepts "flat", "s3" or "hive" (any case).
func (l *Layout) UnmarshalText(b []byte) error {
	s := Layout(strings.ToLower(strings.TrimSpace(string(b))))
	for _, v := range Layouts() {
		if s == v {
			*l = v
			return nil
		}
	}
	return fmt.Errorf("unknown layout %q: use flat, s3 or hive", string(b))
}

// MarshalText returns the layout name.
func (l Layout) MarshalText() ([]byte, error) { return []byte(l), nil }

// ObjectPeriod is the delivery period of AWS flow log objects: every object
// holds the records whose end time falls in one 5-minute slot.
const ObjectPeriod = 5 * time.Minute

// MaxObjectBytes is the AWS size cap of one log object (75 MB). Windows whose
// estimated uncompressed text exceeds it are split over several objects.
const MaxObjectBytes = 75 << 20

// InventoryFileName is the name of the ground truth file WriteTree writes at
// the root of its output directory.
const InventoryFileName = "inventory.json"

// Progress reports how far a write went.
type Progress struct {
	Records      int64 // records written so far
	TotalRecords int64
	Objects      int   // objects completed so far (S3/Hive layouts)
	TotalObjects int   // objects to write (1 for a flat stream)
	Bytes        int64 // uncompressed text bytes written so far
}

// ProgressFunc receives progress reports. Calls never overlap (they are
// serialised), but may come from different goroutines.
type ProgressFunc func(Progress)

// Configuration describes what to generate.
//
// Determinism: the records (and so the uncompressed text) depend only on
// Seed, Records, Rate, Duration, Start, Format, AggregationInterval, Account,
// Region, ENIs and Objects. Layout, Hourly, OrgID, Prefix, Gzip, Header,
// Workers and Progress change where bytes go, never which records are made:
// a flat stream holds exactly the records of the S3 objects, in the order of
// Summary.Objects. Same configuration, same bytes, on any machine and with
// any number of workers; gzip output is also identical for a given GzipLevel
// and compress library version.
type Configuration struct {
	// Seed selects the synthetic world (topology, addresses, IDs) and the
	// traffic. Different seeds give different outputs.
	Seed int64
	// Records is the exact number of records to generate. When 0, it is
	// Rate × Duration.
	Records int64
	// Rate is the number of records per second, used only when Records is 0.
	Rate float64
	// Duration is the time span the records cover, starting at Start.
	Duration time.Duration
	// Start is the beginning of the time span (UTC is used for S3 keys).
	Start time.Time
	// Format is the record format; nil means parse.DefaultFormat(). A format
	// with Transit Gateway fields (tgw-id, resource-type, ...) produces
	// Transit Gateway flow logs instead of VPC flow logs.
	Format *parse.Format
	// AggregationInterval is the flow log's maximum aggregation interval:
	// 1 minute (the default here; also what Nitro instances always use) or
	// 10 minutes. A record's end - start never exceeds it.
	AggregationInterval time.Duration
	// Account is the 12-digit AWS account ID of the VPC owner.
	Account string
	// Region is the AWS region of the VPC.
	Region string
	// ENIs is the approximate number of network interfaces in the VPC
	// (at least 40).
	ENIs int

	// Layout selects the output arrangement of WriteTree.
	Layout Layout
	// Hourly adds an hour level to S3 and Hive keys (AWS "hourly partitions").
	Hourly bool
	// OrgID, when set (o-xxxxxxxxxx), is inserted after AWSLogs/ as for
	// organisation-wide deliveries.
	OrgID string
	// Prefix is the optional "bucket prefix" folder before AWSLogs/.
	Prefix string
	// Gzip compresses the flat stream (S3 and Hive objects are always gzip).
	Gzip bool
	// GzipLevel is the compression level (klauspost/compress/gzip levels).
	GzipLevel int
	// Header writes the format header line first in a flat stream (S3 and
	// Hive objects always start with it, as AWS writes them).
	Header bool
	// Objects, when > 0, is the approximate number of S3/Hive objects:
	// each 5-minute window is split into round(Objects / windows) objects.
	// It also applies to flat streams so that they hold the same records.
	Objects int
	// Workers is the number of goroutines generating and compressing objects
	// in WriteTree (0: GOMAXPROCS). It never changes the output.
	Workers int
	// Progress, when set, receives progress reports.
	Progress ProgressFunc `json:"-"`
}

// defaultStart is the default start of the generated time span: a Monday,
// fixed so that default output is reproducible.
var defaultStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// DefaultConfiguration returns the default configuration: one hour of traffic
// at 100 records/s (360,000 records) of a ~300-ENI VPC in us-east-1, default
// format, S3 layout.
func DefaultConfiguration() Configuration {
	return Configuration{
		Seed:                1,
		Rate:                100,
		Duration:            time.Hour,
		Start:               defaultStart,
		AggregationInterval: time.Minute,
		Account:             "123456789012",
		Region:              "us-east-1",
		ENIs:                300,
		Layout:              LayoutS3,
		GzipLevel:           gzip.DefaultCompression,
		Header:              true,
	}
}

// plan is the resolved configuration: time windows and objects (units).
type plan struct {
	cfg      Configuration
	format   *parse.Format
	records  int64
	start    int64 // Unix seconds
	end      int64 // exclusive
	interval int64 // aggregation interval, seconds
	shards   int   // objects per window
	units    []unit
}

// unit is one object's worth of records: a time window and a record count.
// Every unit has its own random stream, so units can be generated in any
// order and in parallel.
type unit struct {
	index   int
	slot    int64 // start of the 5-minute slot (Unix seconds), names the object
	from    int64 // first second of the window (>= slot)
	to      int64 // exclusive
	records int64
}

func (c *Configuration) validate() error {
	var errs []error
	if c.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration must be positive (got %s)", c.Duration))
	}
	if c.Records < 0 {
		errs = append(errs, fmt.Errorf("records must not be negative (got %d)", c.Records))
	}
	if c.Records == 0 && !(c.Rate > 0) {
		errs = append(errs, errors.New("nothing to generate: set records, or a positive rate (records/s) with a duration"))
	}
	if c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) {
		errs = append(errs, fmt.Errorf("rate must be a positive number of records per second (got %v)", c.Rate))
	}
	if c.AggregationInterval != time.Minute && c.AggregationInterval != 10*time.Minute {
		errs = append(errs, fmt.Errorf("aggregation interval must be 1m or 10m, as AWS allows (got %s)", c.AggregationInterval))
	}
	if len(c.Account) != 12 || strings.Trim(c.Account, "0123456789") != "" {
		errs = append(errs, fmt.Errorf("account %q is not a 12-digit AWS account ID", c.Account))
	}
	if !validRegion(c.Region) {
		errs = append(errs, fmt.Errorf("region %q is not an AWS region name such as us-east-1", c.Region))
	}
	if c.ENIs < 40 || c.ENIs > 20000 {
		errs = append(errs, fmt.Errorf("ENIs must be between 40 and 20000 (got %d)", c.ENIs))
	}
	if err := (&c.Layout).UnmarshalText([]byte(c.Layout)); err != nil {
		errs = append(errs, err)
	}
	if c.OrgID != "" && (!strings.HasPrefix(c.OrgID, "o-") || len(c.OrgID) < 12 || len(c.OrgID) > 34 ||
		strings.Trim(c.OrgID[2:], "abcdefghijklmnopqrstuvwxyz0123456789") != "") {
		errs = append(errs, fmt.Errorf("organisation ID %q must look like o-xxxxxxxxxx", c.OrgID))
	}
	if strings.Contains(c.Prefix, "AWSLogs") {
		errs = append(errs, fmt.Errorf("prefix %q must not contain AWSLogs (AWS reserves it)", c.Prefix))
	}
	if c.GzipLevel < gzip.StatelessCompression || c.GzipLevel > gzip.BestCompression {
		errs = append(errs, fmt.Errorf("gzip level %d is out of range [%d, %d]", c.GzipLevel, gzip.StatelessCompression, gzip.BestCompression))
	}
	if c.Objects < 0 || c.Workers < 0 {
		errs = append(errs, errors.New("objects and workers must not be negative"))
	}
	if c.Format != nil && c.Format.Len() == 0 {
		errs = append(errs, parse.ErrEmptyFormat)
	}
	if len(errs) > 0 {
		return fmt.Errorf("generate: invalid configuration: %w", errors.Join(errs...))
	}
	return nil
}

func validRegion(r string) bool {
	parts := strings.Split(r, "-")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			return false
		}
	}
	return strings.Trim(parts[len(parts)-1], "0123456789") == ""
}

// newPlan validates cfg and splits the time span into units.
func newPlan(cfg Configuration) (*plan, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p := &plan{cfg: cfg, format: cfg.Format}
	if p.format == nil {
		p.format = parse.DefaultFormat()
	}
	p.start = cfg.Start.Unix()
	p.end = cfg.Start.Add(cfg.Duration).Unix()
	if p.end <= p.start {
		p.end = p.start + 1
	}
	p.interval = int64(cfg.AggregationInterval / time.Second)
	p.records = cfg.Records
	if p.records == 0 {
		p.records = int64(math.Round(cfg.Rate * cfg.Duration.Seconds()))
		if p.records == 0 {
			return nil, fmt.Errorf("generate: invalid configuration: rate %v × duration %s is less than one record", cfg.Rate, cfg.Duration)
		}
	}
	period := int64(ObjectPeriod / time.Second)
	first := p.start - mod(p.start, period)
	var slots []int64
	for s := first; s < p.end; s += period {
		slots = append(slots, s)
	}
	// Records per window follow a diurnal curve (busier in the afternoon
	// UTC) weighted by the part of the slot inside the span; the largest
	// remainder method keeps the total exact.
	weights := make([]float64, len(slots))
	var sum float64
	for i, s := range slots {
		from, to := max(s, p.start), min(s+period, p.end)
		hour := float64(mod(s, 86400)) / 3600
		weights[i] = float64(to-from) / float64(period) * (1 + 0.4*math.Sin(2*math.Pi*(hour-9)/24))
		sum += weights[i]
	}
	perWindow := apportion(p.records, weights, sum)
	p.shards = 1
	if cfg.Objects > 0 {
		p.shards = max(1, int(math.Round(float64(cfg.Objects)/float64(len(slots)))))
	}
	var maxWindow int64
	for _, n := range perWindow {
		maxWindow = max(maxWindow, n)
	}
	est := int64(estimateLineBytes(p.format))
	if need := int((maxWindow*est + MaxObjectBytes - 1) / MaxObjectBytes); need > p.shards {
		p.shards = need
	}
	for i, s := range slots {
		from, to := max(s, p.start), min(s+period, p.end)
		for sh := 0; sh < p.shards; sh++ {
			n := perWindow[i] / int64(p.shards)
			if int64(sh) < perWindow[i]%int64(p.shards) {
				n++
			}
			p.units = append(p.units, unit{index: len(p.units), slot: s, from: from, to: to, records: n})
		}
	}
	return p, nil
}

// apportion splits total over weights exactly (largest remainder method;
// ties go to the earlier window).
func apportion(total int64, weights []float64, sum float64) []int64 {
	out := make([]int64, len(weights))
	rems := make([]float64, len(weights))
	order := make([]int, len(weights))
	var given int64
	for i, w := range weights {
		exact := float64(total) * w / sum
		out[i] = int64(exact)
		given += out[i]
		rems[i] = exact - float64(out[i])
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]] > rems[order[b]] })
	for i := 0; given < total; i = (i + 1) % len(order) {
		out[order[i]]++
		given++
	}
	return out
}

// estimateLineBytes is a rough upper estimate of a text line's length.
func estimateLineBytes(f *parse.Format) int { return 12*f.Len() + 8 }

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func (c *Configuration) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}
