package generate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readObject(t testing.TB, dir, key string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	return gunzip(t, b)
}

func TestObjectKeys(t *testing.T) {
	const name = `123456789012_vpcflowlogs_us-east-1_fl-0[0-9a-f]{16}_(\d{8}T\d{4}Z)_[0-9a-f]{8}\.log\.gz`
	f := func(layout Layout, hourly bool, org, prefix, pattern string) {
		t.Helper()
		cfg := smallConfig(3000)
		cfg.Start = time.Date(2026, 2, 28, 23, 40, 0, 0, time.UTC) // crosses a day and an hour
		cfg.Layout, cfg.Hourly, cfg.OrgID, cfg.Prefix = layout, hourly, org, prefix
		dir := t.TempDir()
		sum, err := WriteTree(context.Background(), cfg, dir)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile("^" + pattern + name + "$")
		if len(sum.Objects) != 6 {
			t.Fatalf("%d objects for 30 minutes, want 6", len(sum.Objects))
		}
		header := parse.DefaultFormat().Header()
		var records int64
		for _, o := range sum.Objects {
			m := re.FindStringSubmatch(o.Key)
			if m == nil {
				t.Fatalf("key %q does not match %s", o.Key, re)
			}
			// The key names the 5-minute slot of the records' end times.
			slot := o.Start.Truncate(ObjectPeriod)
			if m[len(m)-1] != slot.Format("20060102T1504Z") || !strings.Contains(o.Key, slot.Format("2006/01/02/")) && !strings.Contains(o.Key, slot.Format("year=2006/month=01/day=02/")) {
				t.Fatalf("key %q does not name slot %s", o.Key, slot)
			}
			text := readObject(t, dir, o.Key)
			lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
			if lines[0] != header {
				t.Fatalf("%s: first line %q, want the header", o.Key, lines[0])
			}
			if int64(len(lines)-1) != o.Records || int64(len(text)) != o.TextBytes {
				t.Fatalf("%s: %d records and %d bytes, summary says %d and %d", o.Key, len(lines)-1, len(text), o.Records, o.TextBytes)
			}
			for _, l := range lines[1:] {
				end, _ := strconv.ParseInt(strings.Fields(l)[11], 10, 64)
				if end < o.Start.Unix() || end >= o.End.Unix() || end < slot.Unix() || end >= slot.Add(ObjectPeriod).Unix() {
					t.Fatalf("%s: end %d outside the object's window %s–%s", o.Key, end, o.Start, o.End)
				}
			}
			records += o.Records
		}
		if records != 3000 || sum.Records != 3000 {
			t.Fatalf("objects hold %d records, summary %d, want 3000", records, sum.Records)
		}
	}
	f(LayoutS3, false, "", "", `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/(02/28|03/01)/`)
	f(LayoutS3, true, "", "", `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/(02/28/23|03/01/00)/`)
	f(LayoutS3, false, "o-a1b2c3d4e5", "logs/flow", `logs/flow/AWSLogs/o-a1b2c3d4e5/123456789012/vpcflowlogs/us-east-1/2026/(02/28|03/01)/`)
	f(LayoutHive, false, "", "", `AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=(02/day=28|03/day=01)/`)
	f(LayoutHive, true, "o-a1b2c3d4e5", "/p/", `p/AWSLogs/o-a1b2c3d4e5/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=(02/day=28/hour=23|03/day=01/hour=00)/`)
}

// treeFiles returns the SHA-256 of every file under dir by relative path.
func treeFiles(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTreeDeterminismAndFlatEquivalence(t *testing.T) {
	cfg := smallConfig(40000)
	cfg.Objects = 12
	var trees []map[string][32]byte
	var sums []*Summary
	for _, workers := range []int{1, 2, 3} {
		cfg.Workers = workers
		dir := t.TempDir()
		sum, err := WriteTree(context.Background(), cfg, dir)
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, treeFiles(t, dir))
		sums = append(sums, sum)
		if workers == 1 {
			// The records of the objects, in order, are the flat stream.
			var concat []byte
			for _, o := range sum.Objects {
				text := readObject(t, dir, o.Key)
				concat = append(concat, text[bytes.IndexByte(text, '\n')+1:]...)
			}
			fc := cfg
			fc.Header = false
			want, _ := flat(t, fc)
			if !bytes.Equal(concat, want) {
				t.Fatal("objects and flat stream hold different records")
			}
		}
	}
	for i := 1; i < len(trees); i++ {
		if len(trees[i]) != len(trees[0]) || len(trees[0]) != 13 {
			t.Fatalf("%d and %d files, want 12 objects + inventory", len(trees[0]), len(trees[i]))
		}
		for k, h := range trees[0] {
			if trees[i][k] != h {
				t.Fatalf("%s differs with %d workers", k, i+1)
			}
		}
	}
}

func TestFlatLayoutTree(t *testing.T) {
	cfg := smallConfig(5000)
	cfg.Layout, cfg.Gzip = LayoutFlat, true
	dir := t.TempDir()
	sum, err := WriteTree(context.Background(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "flowlogs.log.gz"))
	if err != nil {
		t.Fatal(err)
	}
	text := gunzip(t, b)
	if n := bytes.Count(text, []byte{'\n'}); n != 5001 || int64(len(b)) != sum.WrittenBytes || int64(len(text)) != sum.TextBytes {
		t.Fatalf("%d lines, %d/%d bytes; summary %+v", n, len(b), len(text), sum)
	}
	inv, err := ReadInventoryFile(filepath.Join(dir, InventoryFileName))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Counts == nil || inv.Counts.Records != 5000 || inv.Counts.Objects != 1 {
		t.Fatalf("inventory counts %+v", inv.Counts)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".*tmp"))
	if len(matches) > 0 {
		t.Fatalf("temporary files left: %v", matches)
	}
}

// TestInventoryConsistency checks the ground truth against the objects.
func TestInventoryConsistency(t *testing.T) {
	for _, f := range []*parse.Format{allVPCFieldsFormat(), TransitGatewayFormat()} {
		cfg := smallConfig(30000)
		cfg.Format = f
		dir := t.TempDir()
		sum, err := WriteTree(context.Background(), cfg, dir)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := ReadInventoryFile(sum.InventoryPath)
		if err != nil {
			t.Fatal(err)
		}
		checkInventory(t, inv)
		enis := map[string]ENI{}
		for _, e := range inv.ENIs {
			enis[e.ID] = e
		}
		var prefixes []netip.Prefix
		for _, s := range inv.Subnets {
			prefixes = append(prefixes, s.CIDR)
			if s.IPv6CIDR.IsValid() {
				prefixes = append(prefixes, s.IPv6CIDR)
			}
		}
		if tg := inv.TransitGateway; tg != nil {
			for _, a := range tg.Attachments {
				if a.Type == "vpn" {
					prefixes = append(prefixes, a.CIDRs...)
				}
			}
		}
		var n, reject int64
		for _, o := range sum.Objects {
			rd := parse.NewReader(bytes.NewReader(readObject(t, dir, o.Key)), o.Key, parse.DefaultConfig())
			recs := make([]flowlog.Record, 256)
			for {
				k, err := rd.Read(recs)
				for _, r := range recs[:k] {
					n++
					if r.Action == flowlog.ActionReject {
						reject++
					}
					if r.Has(flowlog.FieldInterfaceID) {
						if _, ok := enis[r.InterfaceID]; !ok {
							t.Fatalf("%s: interface %s not in the inventory", o.Key, r.InterfaceID)
						}
					}
					addrs := []netip.Addr{r.SrcAddr, r.DstAddr, r.PktSrcAddr, r.PktDstAddr}
					if r.PacketsLostNoRoute+r.PacketsLostBlackhole > 0 {
						addrs = addrs[:1] // the destination is unrouted on purpose
					}
					for _, a := range addrs {
						if a.IsValid() && (a.IsPrivate() || (a.Is6() && inv.VPCs[0].IPv6CIDR.Contains(a))) && !inAny(a, prefixes) {
							t.Fatalf("%s: private address %s is in no subnet", o.Key, a)
						}
					}
				}
				if err == io.EOF {
					break
				}
			}
		}
		c := inv.Counts
		if c == nil || c.Records != n || n != 30000 || c.ByAction["REJECT"] != reject || c.Objects != len(sum.Objects) {
			t.Fatalf("inventory counts %+v; objects hold %d records, %d REJECT", c, n, reject)
		}
		var byStatus, byPattern int64
		for _, v := range c.ByStatus {
			byStatus += v
		}
		for _, v := range c.ByPattern {
			byPattern += v
		}
		if byStatus != n || byPattern != n || c.ByType["IPv4"]+c.ByType["IPv6"] != c.ByStatus["OK"] {
			t.Fatalf("inconsistent counts %+v", c)
		}
	}
}

// checkInventory checks the inventory on its own: addresses inside their
// subnets, subnets inside their VPCs, unique IDs and addresses.
func checkInventory(t *testing.T, inv *Inventory) {
	t.Helper()
	vpcs := map[string]VPC{}
	for _, v := range inv.VPCs {
		vpcs[v.ID] = v
	}
	subnets := map[string]Subnet{}
	for _, s := range inv.Subnets {
		v, ok := vpcs[s.VPCID]
		if !ok || !v.CIDR.Contains(s.CIDR.Addr()) || s.CIDR.Bits() < v.CIDR.Bits() {
			t.Fatalf("subnet %s %s outside VPC %s", s.ID, s.CIDR, s.VPCID)
		}
		if s.IPv6CIDR.IsValid() && !v.IPv6CIDR.Contains(s.IPv6CIDR.Addr()) {
			t.Fatalf("subnet %s IPv6 %s outside %s", s.ID, s.IPv6CIDR, v.IPv6CIDR)
		}
		subnets[s.ID] = s
	}
	seen := map[string]bool{}
	addrs := map[netip.Addr]bool{}
	roles := map[string]int{}
	for _, e := range inv.ENIs {
		s, ok := subnets[e.SubnetID]
		if !ok || seen[e.ID] || len(e.PrivateIPs) == 0 {
			t.Fatalf("ENI %+v: unknown subnet, duplicate or no address", e)
		}
		seen[e.ID] = true
		roles[e.Role]++
		for _, a := range e.PrivateIPs {
			if !s.CIDR.Contains(a) || addrs[a] {
				t.Fatalf("ENI %s: address %s outside %s or duplicate", e.ID, a, s.CIDR)
			}
			addrs[a] = true
		}
		for _, a := range e.IPv6Addresses {
			if !s.IPv6CIDR.Contains(a) {
				t.Fatalf("ENI %s: IPv6 %s outside %s", e.ID, a, s.IPv6CIDR)
			}
		}
		managed := e.InterfaceType != "interface" || e.Role == "load-balancer" || e.ECS != nil
		if managed != (e.InstanceID == "") {
			t.Fatalf("ENI %s (%s, %s): instance ID %q", e.ID, e.Role, e.InterfaceType, e.InstanceID)
		}
		if (e.Account == "unknown") != (e.InterfaceType == "network_load_balancer" || e.InterfaceType == "vpc_endpoint") {
			t.Fatalf("ENI %s (%s): account %q", e.ID, e.InterfaceType, e.Account)
		}
	}
	for _, r := range []string{"load-balancer", "web", "app", "database", "cache", "nat-gateway", "bastion", "dns", "vpc-endpoint", "worker"} {
		if roles[r] == 0 {
			t.Fatalf("no ENI with role %s", r)
		}
	}
	if len(inv.ENIs) < 250 || len(inv.ENIs) > 350 || len(inv.NATPublicIPs) != 3 || len(inv.AdminIPs) == 0 || len(inv.ScannerIPs) == 0 {
		t.Fatalf("inventory: %d ENIs, %d NAT IPs, %d admins, %d scanners", len(inv.ENIs), len(inv.NATPublicIPs), len(inv.AdminIPs), len(inv.ScannerIPs))
	}
	for _, a := range append(append(inv.NATPublicIPs, inv.AdminIPs...), inv.ScannerIPs...) {
		if a.IsPrivate() || !a.IsGlobalUnicast() {
			t.Fatalf("external address %s is not public", a)
		}
	}
}

func TestInventoryJSONStable(t *testing.T) {
	cfg := smallConfig(100)
	g, _ := New(cfg)
	var a, b bytes.Buffer
	if err := WriteInventory(&a, g.Inventory()); err != nil {
		t.Fatal(err)
	}
	g2, _ := New(cfg)
	_ = WriteInventory(&b, g2.Inventory())
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("inventory JSON differs between two runs")
	}
	for _, key := range []string{`"schema": 1`, `"account": "123456789012"`, `"cidr": "10.0.0.0/16"`, `"role": "nat-gateway"`, `"amazon_dns": "10.0.0.2"`, `"flow_log_id": "fl-0`} {
		if !bytes.Contains(a.Bytes(), []byte(key)) {
			t.Errorf("inventory JSON lacks %s", key)
		}
	}
	sc := bufio.NewScanner(&a)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"counts"`) {
			t.Fatal("counts present before generation")
		}
	}
}
