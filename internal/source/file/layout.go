package file

import (
	"path/filepath"
	"strings"
	"time"
)

// Layout is what an object's path says about its content when it follows
// one of the AWS S3 layouts of VPC flow logs (as copied by `aws s3 sync`):
//
//	AWSLogs/[o-xxxx/]<account>/vpcflowlogs/<region>/YYYY/MM/DD/[HH/]<file>
//	AWSLogs/[aws-organization-id=o-xxxx/]aws-account-id=<account>/aws-service=vpcflowlogs/
//	    aws-region=<region>/year=YYYY/month=MM/day=DD/[hour=HH/]<file>
//
// and the AWS file name
// <account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz
// (or .log.parquet). The layout is anchored on the vpcflowlogs folder, so a
// tree synced from below AWSLogs/ parses too; a partial copy (from below the
// region folder) still gets everything the file name says.
type Layout struct {
	// AWS reports whether the folders or the file name follow an AWS layout.
	AWS bool
	// Hive reports Hive-compatible prefixes (aws-account-id=...).
	Hive bool
	// Hourly reports hourly partitions (an HH or hour=HH folder).
	Hourly    bool
	OrgID     string // o-xxxx when delivered under an organization prefix
	Account   string
	Region    string
	FlowLogID string // fl-xxxx, from the file name
	// Folder is the start of the day (or hour) folder, UTC; zero when the
	// folders do not say.
	Folder time.Time
	// FileTime is the timestamp of the AWS file name, UTC (minute
	// precision); zero when the name does not follow AWS naming.
	FileTime time.Time
}

// Time returns the most precise time the path gives: the file name's, else
// the folder's (zero if neither).
func (l Layout) Time() time.Time {
	if !l.FileTime.IsZero() {
		return l.FileTime
	}
	return l.Folder
}

// ParseLayout parses the layout of an object path (OS or slash separated).
func ParseLayout(path string) Layout {
	comps := strings.Split(filepath.ToSlash(path), "/")
	name := comps[len(comps)-1]
	l := Layout{}
	if d := parseDirs(comps[:len(comps)-1]); d.anchored {
		l.AWS, l.Hive, l.OrgID, l.Account, l.Region = true, d.hive, d.org, d.account, d.region
		if d.depth >= depthDay {
			l.Folder = d.start
			l.Hourly = d.depth == depthHour
		}
	}
	if n, ok := parseFileName(name); ok {
		l.AWS = true
		l.FlowLogID, l.FileTime = n.flowLogID, n.time
		if l.Account == "" {
			l.Account = n.account
		}
		if l.Region == "" {
			l.Region = n.region
		}
	}
	return l
}

// Depth of the date folders a directory path reaches.
const (
	depthNone = iota
	depthYear
	depthMonth
	depthDay
	depthHour
)

// dirInfo is what a directory path says.
type dirInfo struct {
	anchored             bool // a vpcflowlogs folder with its account
	hive                 bool
	org, account, region string
	depth                int       // how many date folders follow the region
	start                time.Time // start of the span of the deepest date folder
}

// end returns the end (exclusive) of the span of the deepest date folder.
func (d *dirInfo) end() time.Time {
	switch d.depth {
	case depthYear:
		return d.start.AddDate(1, 0, 0)
	case depthMonth:
		return d.start.AddDate(0, 1, 0)
	case depthDay:
		return d.start.AddDate(0, 0, 1)
	case depthHour:
		return d.start.Add(time.Hour)
	}
	return time.Time{}
}

// parseDirs parses directory components, from the last vpcflowlogs anchor.
func parseDirs(comps []string) dirInfo {
	var d dirInfo
	a := -1
	for i := len(comps) - 1; i >= 1; i-- {
		if comps[i] == "vpcflowlogs" && isAccount(comps[i-1]) {
			a = i
			d.account = comps[i-1]
			if i >= 2 && strings.HasPrefix(comps[i-2], "o-") {
				d.org = comps[i-2]
			}
			break
		}
		if comps[i] == "aws-service=vpcflowlogs" {
			if acct, ok := strings.CutPrefix(comps[i-1], "aws-account-id="); ok && acct != "" {
				a = i
				d.hive, d.account = true, acct
				if i >= 2 {
					if org, ok := strings.CutPrefix(comps[i-2], "aws-organization-id="); ok {
						d.org = org
					} else if strings.HasPrefix(comps[i-2], "o-") {
						d.org = comps[i-2] // as internal/generate writes it
					}
				}
				break
			}
		}
	}
	if a < 0 {
		return d
	}
	d.anchored = true
	rest := comps[a+1:]
	if len(rest) == 0 {
		return d
	}
	if d.hive {
		d.region, _ = strings.CutPrefix(rest[0], "aws-region=")
	} else {
		d.region = rest[0]
	}
	d.parseDate(rest[1:])
	return d
}

// parseDate parses the year, month, day and hour folders, as deep as they
// are valid.
func (d *dirInfo) parseDate(rest []string) {
	keys := [...]string{"year=", "month=", "day=", "hour="}
	widths := [...]int{4, 2, 2, 2}
	v := [4]int{0, 1, 1, 0} // unparsed parts start their range
	for n := 0; n < len(rest) && n < 4; n++ {
		s := rest[n]
		if d.hive {
			var ok bool
			if s, ok = strings.CutPrefix(s, keys[n]); !ok {
				return
			}
		}
		x, ok := digits(s, widths[n])
		if !ok {
			return
		}
		v[n] = x
		t := time.Date(v[0], time.Month(v[1]), v[2], v[3], 0, 0, 0, time.UTC)
		// Reject what time.Date would normalise (month 13, Feb 30, hour 24).
		if t.Year() != v[0] || int(t.Month()) != v[1] || t.Day() != v[2] || t.Hour() != v[3] {
			return
		}
		d.depth, d.start = n+1, t
	}
}

// digits parses exactly width ASCII digits.
func digits(s string, width int) (int, bool) {
	if len(s) != width {
		return 0, false
	}
	x := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		x = x*10 + int(s[i]-'0')
	}
	return x, true
}

// isAccount reports whether s is a 12-digit AWS account ID.
func isAccount(s string) bool {
	_, ok := digits(s, 12)
	return ok
}

type fileName struct {
	account, region, flowLogID string
	time                       time.Time
}

// parseFileName parses <account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.<ext>.
func parseFileName(name string) (fileName, bool) {
	parts := strings.Split(name, "_")
	if len(parts) != 6 || parts[1] != "vpcflowlogs" || !isAccount(parts[0]) || parts[2] == "" || parts[3] == "" || parts[5] == "" {
		return fileName{}, false
	}
	t, err := time.Parse("20060102T1504Z", parts[4])
	if err != nil {
		return fileName{}, false
	}
	return fileName{account: parts[0], region: parts[2], flowLogID: parts[3], time: t.UTC()}, true
}
