package generate

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// role is what an ENI does in the synthetic VPC.
type role uint8

const (
	roleALB role = iota
	roleNLB
	roleWeb
	roleApp
	roleWorker
	roleDB
	roleCache
	roleNAT
	roleBastion
	roleDNS
	roleEndpoint
	numRoles
)

// Role names as written in the inventory.
var roleNames = [numRoles]string{
	"load-balancer", "load-balancer", "web", "app", "worker", "database",
	"cache", "nat-gateway", "bastion", "dns", "vpc-endpoint",
}

var roleShort = [numRoles]string{"alb", "nlb", "web", "app", "worker", "db", "cache", "nat", "bastion", "dns", "vpce"}

type subnet struct {
	ID, Name, Tier, AZ, AZID, VPCID string
	CIDR, CIDR6                     netip.Prefix // CIDR6 is invalid for IPv4-only subnets
	used                            map[uint64]bool
}

// ecsTask holds the version 7 fields of an ENI that belongs to an ECS task.
type ecsTask struct {
	ClusterARN, ClusterName, ContainerInstanceARN, ContainerInstanceID string
	ContainerID, SecondContainerID, ServiceName                        string
	TaskDefinitionARN, TaskARN, TaskID                                 string
}

// eni is one network interface of the VPC. Everything the records need is
// precomputed so that generating a record never allocates.
type eni struct {
	role       role
	ID         string
	Account    string // the owner account, or "unknown" for AWS-owned ENIs
	InstanceID string // "" when not attached to an instance of the account
	Type       string // interface-type (EC2 InterfaceType spelling)
	Name       string // Name tag (no spaces: it is written in records)
	Env        string // env tag
	ASG        string // Auto Scaling group name, "" when none
	ResourceID string // NAT gateway, load balancer or endpoint ID
	subnet     *subnet
	v4, v6     netip.Addr // v6 is invalid when the ENI has no IPv6 address
	public     netip.Addr // public IPv4 (EIP or auto-assigned), invalid when none
	nitro      bool
	windows    bool // uses the Windows ephemeral port range
	dbPort     uint16
	ecs        *ecsTask
	tmpl       flowlog.Record // interface metadata of its records, format fields only
}

// pool is a set of external addresses with their AWS service (ip-ranges
// name, "" for none).
type pool struct {
	addrs []netip.Addr
	svc   []string
}

func (p *pool) add(a netip.Addr, svc string) {
	p.addrs = append(p.addrs, a)
	p.svc = append(p.svc, svc)
}

// AWSRange is an AWS ip-ranges entry used by the generator.
type AWSRange struct {
	Prefix  netip.Prefix `json:"prefix"`
	Service string       `json:"service"`
	Region  string       `json:"region"`
}

// awsRanges are real-looking us-east-1 prefixes of AWS ip-ranges.json.
var awsRanges = []AWSRange{
	{netip.MustParsePrefix("52.216.0.0/15"), "S3", "us-east-1"},
	{netip.MustParsePrefix("3.5.0.0/19"), "S3", "us-east-1"},
	{netip.MustParsePrefix("54.231.0.0/16"), "S3", "us-east-1"},
	{netip.MustParsePrefix("52.94.0.0/22"), "DYNAMODB", "us-east-1"},
	{netip.MustParsePrefix("3.218.180.0/22"), "DYNAMODB", "us-east-1"},
	{netip.MustParsePrefix("3.80.0.0/12"), "EC2", "us-east-1"},
	{netip.MustParsePrefix("54.144.0.0/14"), "EC2", "us-east-1"},
	{netip.MustParsePrefix("18.204.0.0/14"), "EC2", "us-east-1"},
	{netip.MustParsePrefix("44.192.0.0/11"), "EC2", "us-east-1"},
	{netip.MustParsePrefix("54.243.31.192/26"), "ROUTE53_HEALTHCHECKS", "us-east-1"},
}

// reserved4 are IPv4 prefixes never used for internet hosts.
var reserved4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"), netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("224.0.0.0/3"),
}

// VPCCIDR is the IPv4 CIDR of the generated VPC.
var VPCCIDR = netip.MustParsePrefix("10.0.0.0/16")

// topology is the immutable synthetic world shared by all streams.
type topology struct {
	account, region, flowLogID string
	vpc                        *vpcInfo
	vpcs                       []*vpcInfo
	subnets                    []*subnet
	enis                       []*eni
	byRole                     [numRoles][]*eni
	frontends, frontends6      []*eni // internet-facing ENIs (scan targets), those with IPv6
	clients4, clients6         pool
	scanners4, scanners6       pool
	admins                     pool
	egress4, egress6           pool
	s3, ddb, ntp               pool
	tgw                        *tgwTopo
}

type vpcInfo struct {
	ID, Name, Account string
	CIDR, CIDR6       netip.Prefix
}

type builder struct {
	rng  *rand.Rand
	t    *topology
	seen map[netip.Addr]bool // external and public addresses already used
}

func (b *builder) hex(n int) string {
	const digits = "0123456789abcdef"
	var buf [32]byte
	for i := 0; i < n; i++ {
		buf[i] = digits[b.rng.IntN(16)]
	}
	return string(buf[:n])
}

// awsID returns an AWS style resource ID: prefix-0 + 16 hex digits.
func (b *builder) awsID(prefix string) string { return prefix + "-0" + b.hex(16) }

// newTopology builds the world of seed. It is a pure function of its
// arguments.
func newTopology(seed int64, account, region string, enis int, tgw bool) *topology {
	b := &builder{
		rng:  rand.New(rand.NewPCG(uint64(seed), 0x746f706f6c6f6779)),
		t:    &topology{account: account, region: region},
		seen: map[netip.Addr]bool{},
	}
	t := b.t
	t.flowLogID = b.awsID("fl")
	t.vpc = &vpcInfo{ID: b.awsID("vpc"), Name: "prod", Account: account, CIDR: VPCCIDR}
	var v6 [16]byte
	v6[0], v6[1], v6[2], v6[3] = 0x26, 0x00, 0x1f, 0x18
	v6[4], v6[5], v6[6] = byte(b.rng.IntN(256)), byte(b.rng.IntN(256)), byte(b.rng.IntN(256))
	t.vpc.CIDR6 = netip.PrefixFrom(netip.AddrFrom16(v6), 56)
	t.vpcs = []*vpcInfo{t.vpc}
	b.subnets()
	b.interfaces(enis)
	b.externals()
	if tgw {
		b.transitGateway()
	}
	return t
}

// azIDPrefix returns the AZ ID prefix of a region: us-east-1 → use1.
func azIDPrefix(region string) string {
	parts := strings.Split(region, "-")
	abbrev := map[string]string{
		"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
		"northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw",
	}
	var sb strings.Builder
	sb.WriteString(parts[0])
	for _, p := range parts[1 : len(parts)-1] {
		if a, ok := abbrev[p]; ok {
			sb.WriteString(a)
		} else if p != "" {
			sb.WriteByte(p[0])
		}
	}
	sb.WriteString(parts[len(parts)-1])
	return sb.String()
}

func (b *builder) subnets() {
	t := b.t
	azp := azIDPrefix(t.region)
	tiers := []struct {
		name string
		base [4]byte
		bits int
		v6   int // /64 index base, -1 for IPv4 only
	}{
		{"public", [4]byte{10, 0, 0, 0}, 22, 0x00},
		{"private", [4]byte{10, 0, 32, 0}, 19, 0x10},
		{"data", [4]byte{10, 0, 128, 0}, 22, -1},
	}
	for _, tier := range tiers {
		for az := 0; az < 3; az++ {
			base := tier.base
			size := uint32(1) << (32 - tier.bits)
			off := uint32(base[2])<<8 + uint32(az)*size
			base[2], base[3] = byte(off>>8), byte(off)
			s := &subnet{
				ID: b.awsID("subnet"), Name: fmt.Sprintf("prod-%s-%c", tier.name, 'a'+az), Tier: tier.name,
				AZ: fmt.Sprintf("%s%c", t.region, 'a'+az), AZID: fmt.Sprintf("%s-az%d", azp, az+1), VPCID: t.vpc.ID,
				CIDR: netip.PrefixFrom(netip.AddrFrom4(base), tier.bits), used: map[uint64]bool{},
			}
			if tier.v6 >= 0 {
				a := t.vpc.CIDR6.Addr().As16()
				a[7] = byte(tier.v6 + az)
				s.CIDR6 = netip.PrefixFrom(netip.AddrFrom16(a), 64)
			}
			t.subnets = append(t.subnets, s)
		}
	}
}

// host allocates a free IPv4 address in s, skipping the 4 first and the last
// addresses as AWS does.
func (b *builder) host(s *subnet) netip.Addr {
	size := uint64(1) << (32 - s.CIDR.Bits())
	for {
		off := 4 + b.rng.Uint64N(size-5)
		if !s.used[off] {
			s.used[off] = true
			base := s.CIDR.Addr().As4()
			v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
			v += uint32(off)
			return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		}
	}
}

func (b *builder) host6(s *subnet) netip.Addr {
	a := s.CIDR6.Addr().As16()
	for i := 8; i < 16; i++ {
		a[i] = byte(b.rng.IntN(256))
	}
	return netip.AddrFrom16(a)
}

func (b *builder) subnetOf(tier string, az int) *subnet {
	for _, s := range b.t.subnets {
		if s.Tier == tier && s.AZ[len(s.AZ)-1] == byte('a'+az) && s.VPCID == b.t.vpc.ID {
			return s
		}
	}
	panic("generate: no subnet " + tier)
}

func (b *builder) interfaces(total int) {
	t := b.t
	rest := total - 18
	counts := [numRoles]int{roleALB: 3, roleNLB: 3, roleNAT: 3, roleBastion: 1, roleDNS: 2, roleEndpoint: 6}
	counts[roleDB] = max(3, rest*5/100)
	counts[roleCache] = max(3, rest*4/100)
	counts[roleWeb] = rest * 25 / 100
	counts[roleWorker] = rest * 16 / 100
	counts[roleApp] = rest - counts[roleDB] - counts[roleCache] - counts[roleWeb] - counts[roleWorker]
	tierOf := [numRoles]string{"public", "public", "private", "private", "private", "data", "data", "public", "public", "private", "private"}
	albID := "app/prod-web/" + b.hex(16)
	nlbID := "net/prod-api/" + b.hex(16)
	vpceIDs := []string{b.awsID("vpce"), b.awsID("vpce")}
	vpceNames := []string{"secretsmanager", "ssm"}
	cluster := "prod-app"
	for r := role(0); r < numRoles; r++ {
		for i := 0; i < counts[r]; i++ {
			e := &eni{role: r, ID: b.awsID("eni"), Account: t.account, Type: "interface", Env: "prod"}
			az := i % 3
			e.subnet = b.subnetOf(tierOf[r], az)
			e.v4 = b.host(e.subnet)
			e.Name = fmt.Sprintf("%s-%02d", roleShort[r], i+1)
			switch r {
			case roleALB:
				e.ResourceID = albID
				e.public = b.public4()
				e.v6 = b.host6(e.subnet)
			case roleNLB:
				e.Account, e.Type, e.ResourceID = "unknown", "network_load_balancer", nlbID
				e.public = b.public4()
			case roleNAT:
				e.Type, e.ResourceID = "nat_gateway", b.awsID("nat")
				e.public = b.public4()
			case roleEndpoint:
				svc := i / 3
				e.Account, e.Type, e.ResourceID = "unknown", "vpc_endpoint", vpceIDs[svc]
				e.Name = "vpce-" + vpceNames[svc] + fmt.Sprintf("-%02d", i%3+1)
			default:
				e.InstanceID = b.awsID("i")
				e.nitro = b.rng.IntN(10) != 0
				e.windows = r == roleApp && b.rng.IntN(20) == 0
			}
			switch r {
			case roleBastion:
				e.public = b.public4()
				e.v6 = b.host6(e.subnet)
			case roleWeb, roleApp, roleWorker:
				e.ASG = "prod-" + roleShort[r] + "-asg"
				e.v6 = b.host6(e.subnet)
				if r == roleApp && i%5 < 2 && !e.windows {
					b.fargate(e, cluster)
				}
			case roleDB:
				e.dbPort = 5432
				if i >= (counts[r]+1)/2 {
					e.dbPort = 3306
				}
			}
			t.enis = append(t.enis, e)
			t.byRole[r] = append(t.byRole[r], e)
		}
	}
	t.frontends = append(append(append(t.frontends, t.byRole[roleALB]...), t.byRole[roleNLB]...), t.byRole[roleBastion]...)
	for _, e := range t.frontends {
		if e.v6.IsValid() {
			t.frontends6 = append(t.frontends6, e)
		}
	}
}

// fargate turns e into the ENI of an ECS task on Fargate (no instance).
func (b *builder) fargate(e *eni, cluster string) {
	t := b.t
	service := []string{"orders-api", "payments-api", "catalog-api"}[b.rng.IntN(3)]
	taskID := b.hex(32)
	arn := "arn:aws:ecs:" + t.region + ":" + t.account + ":"
	e.InstanceID, e.ASG = "", ""
	e.ecs = &ecsTask{
		ClusterARN: arn + "cluster/" + cluster, ClusterName: cluster,
		ContainerID: taskID + "-" + b.hex(10), ServiceName: service,
		TaskDefinitionARN: arn + "task-definition/" + service + ":" + fmt.Sprint(10+b.rng.IntN(90)),
		TaskARN:           arn + "task/" + cluster + "/" + taskID, TaskID: taskID,
	}
	if b.rng.IntN(2) == 0 {
		e.ecs.SecondContainerID = taskID + "-" + b.hex(10)
	}
	e.Name = "ecs-" + service + "-" + taskID[:8]
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func inAWS(a netip.Addr) bool {
	for _, r := range awsRanges {
		if r.Prefix.Contains(a) {
			return true
		}
	}
	return false
}

// public4 returns a random, not yet used public IPv4 address outside AWS
// ranges.
func (b *builder) public4() netip.Addr {
	for {
		v := b.rng.Uint32()
		a := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		if !inAny(a, reserved4) && !inAWS(a) && !b.seen[a] {
			b.seen[a] = true
			return a
		}
	}
}

// public6 returns a random global unicast IPv6 address in ISP-like space
// (2a00::/12 or 2400::/12), outside documentation and AWS space.
func (b *builder) public6() netip.Addr {
	var a [16]byte
	for i := range a {
		a[i] = byte(b.rng.IntN(256))
	}
	a[0] = []byte{0x24, 0x2a}[b.rng.IntN(2)]
	a[1] &= 0x0f
	return netip.AddrFrom16(a)
}

// inRange returns a random address of the AWS ranges of service svc.
func (b *builder) inRange(svc string) netip.Addr {
	var ps []netip.Prefix
	for _, r := range awsRanges {
		if r.Service == svc {
			ps = append(ps, r.Prefix)
		}
	}
	p := ps[b.rng.IntN(len(ps))]
	a := p.Addr().As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v += 1 + b.rng.Uint32N(uint32(1)<<(32-p.Bits())-2)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// fill adds n distinct addresses made by gen to p. Addresses are unique
// across all pools (public4 marks its own; others are marked here).
func (b *builder) fill(p *pool, n int, gen func() netip.Addr, svc string) {
	for i := 0; i < n; {
		a := gen()
		if a.Is4() && svc == "" { // from public4: already unique and marked
			p.add(a, svc)
			i++
		} else if !b.seen[a] {
			b.seen[a] = true
			p.add(a, svc)
			i++
		}
	}
}

func (b *builder) shuffle(p *pool) {
	b.rng.Shuffle(len(p.addrs), func(i, j int) {
		p.addrs[i], p.addrs[j] = p.addrs[j], p.addrs[i]
		p.svc[i], p.svc[j] = p.svc[j], p.svc[i]
	})
}

func (b *builder) externals() {
	t := b.t
	b.fill(&t.clients4, 6000, b.public4, "")
	b.fill(&t.clients4, 200, func() netip.Addr { return b.inRange("EC2") }, "EC2")
	b.fill(&t.clients4, 16, func() netip.Addr { return b.inRange("ROUTE53_HEALTHCHECKS") }, "ROUTE53_HEALTHCHECKS")
	b.shuffle(&t.clients4)
	b.fill(&t.clients6, 1500, b.public6, "")
	b.fill(&t.scanners4, 24, b.public4, "")
	b.fill(&t.scanners4, 2, func() netip.Addr { return b.inRange("EC2") }, "EC2")
	b.fill(&t.scanners6, 4, b.public6, "")
	b.fill(&t.admins, 3, b.public4, "")
	b.fill(&t.egress4, 400, b.public4, "")
	b.fill(&t.egress4, 200, func() netip.Addr { return b.inRange("EC2") }, "EC2")
	b.shuffle(&t.egress4)
	b.fill(&t.egress6, 150, b.public6, "")
	b.fill(&t.s3, 64, func() netip.Addr { return b.inRange("S3") }, "S3")
	b.fill(&t.ddb, 16, func() netip.Addr { return b.inRange("DYNAMODB") }, "DYNAMODB")
	b.fill(&t.ntp, 4, b.public4, "")
}
