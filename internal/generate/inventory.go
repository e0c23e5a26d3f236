package generate

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// InventorySchema is the version of the inventory JSON schema.
const InventorySchema = 1

// Inventory is the ground truth of a generated data set: every resource that
// appears in the records, the external actors, and what was generated. Its
// JSON form (see docs/GENERATE.md) is written beside the data.
type Inventory struct {
	Schema              int       `json:"schema"`
	Seed                int64     `json:"seed"`
	Kind                string    `json:"kind"` // "vpc" or "transit-gateway"
	Account             string    `json:"account"`
	Region              string    `json:"region"`
	FlowLogID           string    `json:"flow_log_id"`
	Format              string    `json:"format"` // header line spelling
	Start               time.Time `json:"start"`
	End                 time.Time `json:"end"`
	AggregationInterval int       `json:"aggregation_interval_seconds"`
	// AmazonDNS is the VPC resolver (VPC base + 2). AWS does not log traffic
	// to it, so it never appears in records; DNS goes to DNSServers.
	AmazonDNS      netip.Addr      `json:"amazon_dns"`
	VPCs           []VPC           `json:"vpcs"`
	Subnets        []Subnet        `json:"subnets"`
	ENIs           []ENI           `json:"enis"`
	TransitGateway *TransitGateway `json:"transit_gateway,omitempty"`
	NATPublicIPs   []netip.Addr    `json:"nat_public_ips"`
	AdminIPs       []netip.Addr    `json:"admin_ips"`
	ScannerIPs     []netip.Addr    `json:"scanner_ips"`
	DNSServers     []netip.Addr    `json:"dns_servers"`
	NTPServers     []netip.Addr    `json:"ntp_servers"`
	AWSRanges      []AWSRange      `json:"aws_ranges"`
	// Counts is what was generated; nil until generation completed.
	Counts *Counts `json:"counts,omitempty"`
}

// VPC is one VPC.
type VPC struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Account  string       `json:"account"`
	CIDR     netip.Prefix `json:"cidr"`
	IPv6CIDR netip.Prefix `json:"ipv6_cidr,omitzero"`
}

// Subnet is one subnet.
type Subnet struct {
	ID       string       `json:"id"`
	VPCID    string       `json:"vpc_id"`
	Name     string       `json:"name"`
	Tier     string       `json:"tier"` // public, private, data, tgw, onprem
	AZ       string       `json:"az,omitempty"`
	AZID     string       `json:"az_id,omitempty"`
	CIDR     netip.Prefix `json:"cidr"`
	IPv6CIDR netip.Prefix `json:"ipv6_cidr,omitzero"`
}

// ENI is one network interface.
type ENI struct {
	ID            string       `json:"id"`
	Role          string       `json:"role"`
	InterfaceType string       `json:"interface_type"`
	Account       string       `json:"account"` // "unknown" for AWS-owned ENIs
	VPCID         string       `json:"vpc_id"`
	SubnetID      string       `json:"subnet_id"`
	AZ            string       `json:"az"`
	AZID          string       `json:"az_id"`
	PrivateIPs    []netip.Addr `json:"private_ips"`
	IPv6Addresses []netip.Addr `json:"ipv6_addresses,omitempty"`
	PublicIP      netip.Addr   `json:"public_ip,omitzero"`
	InstanceID    string       `json:"instance_id,omitempty"`
	ResourceID    string       `json:"resource_id,omitempty"`
	Name          string       `json:"name"`
	ASG           string       `json:"asg,omitempty"`
	Env           string       `json:"env,omitempty"`
	Nitro         bool         `json:"nitro"`
	Service       string       `json:"service,omitempty"` // postgres, mysql, redis
	ECS           *ECSTask     `json:"ecs,omitempty"`
}

// ECSTask is the ECS task an ENI belongs to (Fargate).
type ECSTask struct {
	ClusterARN        string `json:"cluster_arn"`
	ClusterName       string `json:"cluster_name"`
	ServiceName       string `json:"service_name"`
	TaskDefinitionARN string `json:"task_definition_arn"`
	TaskARN           string `json:"task_arn"`
	TaskID            string `json:"task_id"`
	ContainerID       string `json:"container_id"`
	SecondContainerID string `json:"second_container_id,omitempty"`
}

// Counts is what a generation produced.
type Counts struct {
	Records   int64            `json:"records"`
	Objects   int              `json:"objects"`
	ByAction  map[string]int64 `json:"by_action"`  // ACCEPT, REJECT (OK records only)
	ByStatus  map[string]int64 `json:"by_status"`  // OK, NODATA, SKIPDATA
	ByType    map[string]int64 `json:"by_type"`    // IPv4, IPv6 (OK records only)
	ByPattern map[string]int64 `json:"by_pattern"` // records per traffic pattern
}

// tally is the allocation-free counter behind Counts.
type tally struct {
	records  int64
	action   [3]int64
	status   [4]int64
	typ      [3]int64
	patterns [numPatterns]int64
}

func (t *tally) add(o *tally) {
	t.records += o.records
	for i := range t.action {
		t.action[i] += o.action[i]
	}
	for i := range t.status {
		t.status[i] += o.status[i]
	}
	for i := range t.typ {
		t.typ[i] += o.typ[i]
	}
	for i := range t.patterns {
		t.patterns[i] += o.patterns[i]
	}
}

func (t *tally) counts(objects int) *Counts {
	c := &Counts{
		Records: t.records, Objects: objects,
		ByAction: map[string]int64{}, ByStatus: map[string]int64{}, ByType: map[string]int64{}, ByPattern: map[string]int64{},
	}
	for i := 1; i < len(t.action); i++ {
		c.ByAction[flowlog.Action(i).String()] = t.action[i]
	}
	for i := 1; i < len(t.status); i++ {
		c.ByStatus[flowlog.LogStatus(i).String()] = t.status[i]
	}
	for i := 1; i < len(t.typ); i++ {
		c.ByType[flowlog.TrafficType(i).String()] = t.typ[i]
	}
	for i, n := range t.patterns {
		if n > 0 {
			c.ByPattern[patternNames[i]] = n
		}
	}
	return c
}

// inventory builds the ground truth of w (without counts).
func (w *world) inventory() *Inventory {
	t := w.topo
	inv := &Inventory{
		Schema: InventorySchema, Seed: w.plan.cfg.Seed, Kind: "vpc",
		Account: t.account, Region: t.region, FlowLogID: t.flowLogID, Format: w.format.Header(),
		Start: time.Unix(w.plan.start, 0).UTC(), End: time.Unix(w.plan.end, 0).UTC(),
		AggregationInterval: int(w.plan.interval),
		AmazonDNS:           VPCCIDR.Addr().Next().Next(),
		AWSRanges:           append([]AWSRange(nil), awsRanges...),
		AdminIPs:            append([]netip.Addr(nil), t.admins.addrs...),
		ScannerIPs:          append(append([]netip.Addr(nil), t.scanners4.addrs...), t.scanners6.addrs...),
		NTPServers:          append([]netip.Addr(nil), t.ntp.addrs...),
	}
	if w.tgw {
		inv.Kind = "transit-gateway"
	}
	for _, v := range t.vpcs {
		inv.VPCs = append(inv.VPCs, VPC{ID: v.ID, Name: v.Name, Account: v.Account, CIDR: v.CIDR, IPv6CIDR: v.CIDR6})
	}
	for _, s := range t.subnets {
		inv.Subnets = append(inv.Subnets, Subnet{ID: s.ID, VPCID: s.VPCID, Name: s.Name, Tier: s.Tier, AZ: s.AZ, AZID: s.AZID, CIDR: s.CIDR, IPv6CIDR: s.CIDR6})
	}
	services := map[uint16]string{5432: "postgres", 3306: "mysql"}
	for _, e := range t.enis {
		x := ENI{
			ID: e.ID, Role: roleNames[e.role], InterfaceType: e.Type, Account: e.Account,
			VPCID: e.subnet.VPCID, SubnetID: e.subnet.ID, AZ: e.subnet.AZ, AZID: e.subnet.AZID,
			PrivateIPs: []netip.Addr{e.v4}, PublicIP: e.public, InstanceID: e.InstanceID,
			ResourceID: e.ResourceID, Name: e.Name, ASG: e.ASG, Env: e.Env, Nitro: e.nitro,
			Service: services[e.dbPort],
		}
		if e.role == roleCache {
			x.Service = "redis"
		}
		if e.v6.IsValid() {
			x.IPv6Addresses = []netip.Addr{e.v6}
		}
		if e.ecs != nil {
			x.ECS = &ECSTask{
				ClusterARN: e.ecs.ClusterARN, ClusterName: e.ecs.ClusterName, ServiceName: e.ecs.ServiceName,
				TaskDefinitionARN: e.ecs.TaskDefinitionARN, TaskARN: e.ecs.TaskARN, TaskID: e.ecs.TaskID,
				ContainerID: e.ecs.ContainerID, SecondContainerID: e.ecs.SecondContainerID,
			}
		}
		inv.ENIs = append(inv.ENIs, x)
		switch e.role {
		case roleNAT:
			inv.NATPublicIPs = append(inv.NATPublicIPs, e.public)
		case roleDNS:
			inv.DNSServers = append(inv.DNSServers, e.v4)
		}
	}
	if t.tgw != nil {
		inv.TransitGateway = t.tgw.inventory()
	}
	return inv
}

// WriteInventory writes inv as indented JSON.
func WriteInventory(w io.Writer, inv *Inventory) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(inv)
}

// WriteInventoryFile writes inv to path (atomically: via a temporary file).
func WriteInventoryFile(path string, inv *Inventory) error {
	return writeFileAtomic(path, func(w io.Writer) error { return WriteInventory(w, inv) })
}

// ReadInventoryFile reads an inventory written by WriteInventoryFile.
func ReadInventoryFile(path string) (*Inventory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var inv Inventory
	if err := json.Unmarshal(b, &inv); err != nil {
		return nil, fmt.Errorf("%s: not a flowlens inventory: %w", path, err)
	}
	if inv.Schema != InventorySchema {
		return nil, fmt.Errorf("%s: inventory schema %d, this flowlens reads schema %d: regenerate it", path, inv.Schema, InventorySchema)
	}
	return &inv, nil
}

// writeFileAtomic writes path through fill into a temporary file of the
// same directory, then renames it, so an interrupted run never leaves a
// truncated file under the final name.
func writeFileAtomic(path string, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = fill(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
