package file

import (
	"path/filepath"
	"testing"
	"time"
)

func TestParseLayout(t *testing.T) {
	f := func(path string, want Layout) {
		t.Helper()
		if got := ParseLayout(path); got != want {
			t.Errorf("ParseLayout(%q)\n got %+v\nwant %+v", path, got, want)
		}
	}
	day := time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)
	hour := time.Date(2024, 3, 9, 17, 0, 0, 0, time.UTC)
	name := "123456789012_vpcflowlogs_eu-west-3_fl-0abc1234def_20240309T1705Z_8f2c1a0b.log.gz"
	nameTime := time.Date(2024, 3, 9, 17, 5, 0, 0, time.UTC)

	// Plain layout: daily, hourly, with an organization prefix.
	f("bucket/AWSLogs/123456789012/vpcflowlogs/eu-west-3/2024/03/09/"+name, Layout{
		AWS: true, Account: "123456789012", Region: "eu-west-3", FlowLogID: "fl-0abc1234def", Folder: day, FileTime: nameTime})
	f("AWSLogs/123456789012/vpcflowlogs/eu-west-3/2024/03/09/17/"+name, Layout{
		AWS: true, Hourly: true, Account: "123456789012", Region: "eu-west-3", FlowLogID: "fl-0abc1234def", Folder: hour, FileTime: nameTime})
	f("/data/AWSLogs/o-a1b2c3d4e5/123456789012/vpcflowlogs/eu-west-3/2024/03/09/x.log.gz", Layout{
		AWS: true, OrgID: "o-a1b2c3d4e5", Account: "123456789012", Region: "eu-west-3", Folder: day})
	// Hive layout.
	f("AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-3/year=2024/month=03/day=09/"+name, Layout{
		AWS: true, Hive: true, Account: "123456789012", Region: "eu-west-3", FlowLogID: "fl-0abc1234def", Folder: day, FileTime: nameTime})
	f("AWSLogs/aws-organization-id=o-a1b2c3d4e5/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-3/year=2024/month=03/day=09/hour=17/f.log.parquet", Layout{
		AWS: true, Hive: true, Hourly: true, OrgID: "o-a1b2c3d4e5", Account: "123456789012", Region: "eu-west-3", Folder: hour})
	// Hive with the organization folder spelled as in the plain layout.
	f("AWSLogs/o-a1b2c3d4e5/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-3/year=2024/month=03/day=09/f.log.gz", Layout{
		AWS: true, Hive: true, OrgID: "o-a1b2c3d4e5", Account: "123456789012", Region: "eu-west-3", Folder: day})
	// Synced from below AWSLogs/, with the OS separator.
	f(filepath.Join("sync", "123456789012", "vpcflowlogs", "us-east-1", "2024", "03", "09", "f.log"), Layout{
		AWS: true, Account: "123456789012", Region: "us-east-1", Folder: day})
	// Synced from below the region: only the file name speaks.
	f("2024/03/09/"+name, Layout{AWS: true, Account: "123456789012", Region: "eu-west-3", FlowLogID: "fl-0abc1234def", FileTime: nameTime})
	// Anchored, but the date folders stop early or are invalid.
	f("AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/f.log", Layout{AWS: true, Account: "123456789012", Region: "us-east-1"})
	f("AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/02/30/f.log", Layout{AWS: true, Account: "123456789012", Region: "us-east-1"})
	f("AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/13/01/f.log", Layout{AWS: true, Account: "123456789012", Region: "us-east-1"})
	f("AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/09/24/f.log", Layout{AWS: true, Account: "123456789012", Region: "us-east-1", Folder: day})
	f("AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/2024/03/09/f.log", Layout{
		AWS: true, Hive: true, Account: "123456789012", Region: "us-east-1"})
	// Not AWS.
	f("flows.log", Layout{})
	f("/home/me/vpcflowlogs/2024/03/09/flows.log", Layout{})        // no account before vpcflowlogs
	f("AWSLogs/12345/vpcflowlogs/us-east-1/2024/03/09/f", Layout{}) // not a 12-digit account
	f("123456789012_vpcflowlogs_eu-west-3_fl-1_2024-03-09_h.log", Layout{})
	f("123456789012_elasticloadbalancing_eu-west-3_x_20240309T1705Z_h.log", Layout{})
	f("123456789012_vpcflowlogs_eu-west-3_fl-1_20240309T1705Z.log.gz", Layout{}) // no hash
}

func TestLayoutTime(t *testing.T) {
	folder := time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)
	file := folder.Add(5 * time.Minute)
	if got := (Layout{Folder: folder, FileTime: file}).Time(); !got.Equal(file) {
		t.Errorf("Time() = %v, want the file time", got)
	}
	if got := (Layout{Folder: folder}).Time(); !got.Equal(folder) {
		t.Errorf("Time() = %v, want the folder time", got)
	}
}
