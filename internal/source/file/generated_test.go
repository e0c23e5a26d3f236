package file

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
)

// TestGeneratedTrees lists and scans trees written by internal/generate in
// both AWS layouts, and checks that pruning with the default slack loses no
// record of the range.
func TestGeneratedTrees(t *testing.T) {
	f := func(layout generate.Layout, hourly bool, org string) {
		t.Helper()
		dir := t.TempDir()
		gcfg := generate.DefaultConfiguration()
		gcfg.Layout, gcfg.Hourly, gcfg.OrgID = layout, hourly, org
		gcfg.Records, gcfg.Duration, gcfg.Workers = 20000, 6*time.Hour, 2
		gcfg.Start = time.Date(2026, 1, 5, 21, 0, 0, 0, time.UTC) // crosses midnight
		sum, err := generate.WriteTree(context.Background(), gcfg, dir)
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfiguration()
		cfg.Workers = 2
		cfg.Include = []string{"*.log.gz"}
		from, to := gcfg.Start.Add(3*time.Hour), gcfg.Start.Add(4*time.Hour)
		scan := func(cfg Configuration) (objs []Object, st ListStats, total, inRange int64) {
			objs, st, err := List(cfg, []string{dir})
			if err != nil {
				t.Fatal(err)
			}
			var n atomic.Int64
			res, err := Scan(context.Background(), cfg, objs, parse.DefaultConfig(), func(_ int, _ *Object, batch []flowlog.Record) error {
				for i := range batch {
					if s := time.Unix(batch[i].Start, 0); !s.Before(from) && s.Before(to) {
						n.Add(1)
					}
				}
				return nil
			})
			if err != nil || res.Failed != 0 || res.Total.MalformedTotal() != 0 {
				t.Fatalf("%s hourly=%v: %v %v %+v", layout, hourly, err, res.Errors(), res.Total.Malformed)
			}
			return objs, st, res.Total.Records, n.Load()
		}
		objs, _, total, want := scan(cfg)
		if len(objs) != len(sum.Objects) || total != sum.Records {
			t.Fatalf("%s hourly=%v: %d objects and %d records, generated %d and %d", layout, hourly, len(objs), total, len(sum.Objects), sum.Records)
		}
		for _, o := range objs {
			l := o.Layout
			if !l.AWS || l.Hive != (layout == generate.LayoutHive) || l.Hourly != hourly || l.OrgID != org ||
				l.Account != gcfg.Account || l.Region != gcfg.Region || l.FileTime.IsZero() || l.FlowLogID == "" {
				t.Fatalf("%s: layout %+v", o.Name, l)
			}
			span := 24 * time.Hour
			if hourly {
				span = time.Hour
			}
			if l.FileTime.Before(l.Folder) || !l.FileTime.Before(l.Folder.Add(span)) {
				t.Fatalf("%s: file time %v outside its folder %v", o.Name, l.FileTime, l.Folder)
			}
		}
		cfg.From, cfg.To = from, to
		pobjs, st, ptotal, got := scan(cfg)
		if got != want || want == 0 {
			t.Errorf("%s hourly=%v: %d records in range with pruning, %d without", layout, hourly, got, want)
		}
		if st.PrunedObjects+st.PrunedDirs == 0 || len(pobjs) >= len(objs) || ptotal >= total {
			t.Errorf("%s hourly=%v: nothing pruned: %+v, %d of %d objects", layout, hourly, st, len(pobjs), len(objs))
		}
	}
	f(generate.LayoutS3, false, "")
	f(generate.LayoutS3, true, "o-a1b2c3d4e5")
	f(generate.LayoutHive, false, "o-a1b2c3d4e5")
	f(generate.LayoutHive, true, "")
}
