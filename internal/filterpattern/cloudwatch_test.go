package filterpattern

import (
	"fmt"
	"reflect"
	"testing"
)

// The examples of the CloudWatch Logs documentation, "Filter and pattern
// syntax" (FilterAndPatternSyntax.html), and of AWS CDK's FilterPattern,
// as test cases for MatchLine.

// matchLines returns the 1-based numbers of the lines the pattern matches.
func matchLines(t *testing.T, pattern string, lines []string) []int {
	t.Helper()
	p, err := Parse(pattern)
	if err != nil {
		t.Fatalf("Parse(%q): %v", pattern, err)
	}
	got := []int{}
	for i, l := range lines {
		if p.MatchLine([]byte(l)) {
			got = append(got, i+1)
		}
	}
	return got
}

func TestCloudWatchDocTerms(t *testing.T) {
	var lines []string
	f := func(pattern string, want ...int) {
		t.Helper()
		if want == nil {
			want = []int{}
		}
		if got := matchLines(t, pattern, lines); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q matches lines %v, want %v (lines: %q)", pattern, got, want, lines)
		}
	}

	// "Example 1: Match everything: the filter pattern "" matches all log events."
	lines = []string{"anything", "", "[ERROR] x"}
	f(`""`, 1, 2, 3)
	f("", 1, 2, 3)

	// "Example 2: Single term: the filter pattern "ERROR" matches [ERROR] A
	// fatal exception has occurred; Exiting with ERRORCODE: -1".
	lines = []string{"[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1", "[INFO] all good", "error in lower case"}
	f(`"ERROR"`, 1, 2)
	f("ERROR", 1, 2)
	// "Example 3: if you change the filter pattern to "ERROR" - "Exiting",
	// the log event message "Exiting with ERRORCODE: -1" would be excluded."
	f(`"ERROR" - "Exiting"`, 1)

	// "Example 4: Multiple terms: "ERROR Exception" matches ..."
	lines = []string{"[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception", "[ERROR] Unhandled", "Exception"}
	f("ERROR Exception", 1, 2)
	// "The filter pattern "Failed to process the request" matches ..."
	lines = []string{"[WARN] Failed to process the request", "[ERROR] Unable to continue: Failed to process the request", "[WARN] request failed"}
	f("Failed to process the request", 1, 2)
	f(`"Failed to process the request"`, 1, 2)
	f(`"process the Failed"`)

	// "OR pattern matching": `ERROR` matches examples 1 and 2, `?ERROR ?WARN`
	// matches 1, 2 and 3, `ERROR WARN` only 1, `ERROR -WARN` only 2.
	lines = []string{"ERROR WARN message", "ERROR message", "WARN message"}
	f("ERROR", 1, 2)
	f("?ERROR ?WARN", 1, 2, 3)
	f("ERROR WARN", 1)
	f("ERROR -WARN", 2)

	// "%AUTHORIZED% ... returns log event messages, such as [ERROR 401]
	// UNAUTHORIZED REQUEST, [SUCCESS 200] AUTHORIZED REQUEST".
	lines = []string{"[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST", "[SUCCESS 200] authorized"}
	f("%AUTHORIZED%", 1, 2)
	f("%^.SUCCESS%", 2, 3)

	// AWS CDK FilterPattern.anyTermGroup(["ERROR", "MainThread"], ["WARN",
	// "Deadlock"]) writes ?"ERROR" "MainThread" ?"WARN" "Deadlock": lines
	// with both ERROR and MainThread, or both WARN and Deadlock.
	lines = []string{"ERROR in MainThread", "ERROR in worker", "WARN Deadlock found", "WARN in MainThread", "Deadlock"}
	f(`?"ERROR" "MainThread" ?"WARN" "Deadlock"`, 1, 3)
	// FilterPattern.allTerms("ERROR", "MainThread") writes "ERROR" "MainThread".
	f(`"ERROR" "MainThread"`, 1)
	// FilterPattern.anyTerm("ERROR", "Deadlock") writes ?"ERROR" ?"Deadlock".
	f(`?"ERROR" ?"Deadlock"`, 1, 2, 3, 5)
}

func TestCloudWatchDocSpaceDelimited(t *testing.T) {
	var lines []string
	f := func(pattern string, want ...int) {
		t.Helper()
		if want == nil {
			want = []int{}
		}
		if got := matchLines(t, pattern, lines); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q matches lines %v, want %v", pattern, got, want)
		}
	}

	// "With space-delimited filters, w1 means the first word in the log
	// event, w2 means the second word ... [w1=ERROR, w2] matches pattern 2
	// because ERROR is the first word, and [w1=ERROR || w1=WARN, w2]
	// matches patterns 2 and 3."
	lines = []string{"ERROR WARN message", "ERROR message", "WARN message", "INFO message"}
	f("[w1=ERROR, w2]", 2)
	f("[w1=ERROR || w1=WARN, w2]", 2, 3)
	// The documentation goes on: "[w1!=ERROR&&w1!=WARN, w2] matches lines
	// containing both ERROR and WARN (pattern 1)". It cannot: pattern 1
	// has three words (so it does not fit two fields) and its first word
	// is ERROR. flowlens follows the stated rules, as CloudWatch does.
	f("[w1!=ERROR&&w1!=WARN, w2]", 4)
	f("[w1!=ERROR&&w1!=WARN, ...]", 4)
	f("[w1=ERROR, ...]", 1, 2)

	// "The characters between a pair of square brackets [] or two double
	// quotes ("") are treated as a single field."
	lines = []string{
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
		`127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`,
		`127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
	}
	f("[ip, user, username, timestamp, request, status_code, bytes]", 1, 2, 3, 4)
	f("[ip, user, username, timestamp, request, status_code]")
	// "In cases where you don't know the number of fields, you can use
	// shorthand notification using an ellipsis (…)."
	f("[..., status_code, bytes]", 1, 2, 3, 4)
	f("[ip, user, ..., status_code, bytes]", 1, 2, 3, 4)
	f("[ip, user, ...]", 1, 2, 3, 4)
	// "You can also add conditions to your fields so that only log events
	// that match all conditions would match the filters."
	f("[ip, user, username, timestamp, request, status_code, bytes > 1000]", 1, 2, 3, 4)
	f("[ip, user, username, timestamp, request, status_code, bytes > 5000]", 2)
	f("[ip, user, username, timestamp, request, status_code = 200, bytes]", 1, 3)
	f("[ip, user, username, timestamp, request, status_code = 4*, bytes]", 4)
	f("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", 4)
	f(`[ip, user, username, timestamp = "10/Oct/2000:13:25:15 -0700", ...]`, 1, 4)
	f(`[ip, user="-", ...]`, 1, 2, 3, 4)
	// "You can use && as a logical AND operator and || as a logical OR
	// operator."
	f("[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]", 4)
	f("[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]", 4)
	// "Example Filter: [..., request=*.html*, status_code=4*,]" (the
	// trailing comma is an unnamed seventh field).
	f("[..., request=*.html*, status_code=4*,]", 4)
	// The documentation also shows [ip, user, username, timestamp, request,
	// status_code = 4* && bytes > 1000], a condition on another field
	// inside status_code: flowlens rejects it with a message saying how to
	// write it (TestParseErrors); this is the way.
	f("[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]", 4)

	// AWS CDK: FilterPattern.spaceDelimited('time', 'component', '...',
	// 'result_code', 'latency').whereString('component', '=', 'HttpServer')
	// .whereNumber('result_code', '!=', 200) "Search for all events where
	// the component is "HttpServer" and the result code is not equal to
	// 200", which CDK writes as below.
	lines = []string{
		"2024-05-01T10:00:00Z HttpServer GET /index.html 200 12",
		"2024-05-01T10:00:01Z HttpServer GET /missing 404 3",
		"2024-05-01T10:00:02Z Scheduler run job 500 7",
		"2024-05-01T10:00:03Z HttpServer 503 9",
	}
	f(`[time, component = "HttpServer", ..., result_code != 200, latency]`, 2, 4)
	f(`[time, component = "HttpServer", ..., result_code != 200 && result_code != 404, latency]`, 4)
}

// TestNumericSemantics pins the comparison rules: numbers compare
// numerically (exactly for integers), text compares as text.
func TestNumericSemantics(t *testing.T) {
	f := func(pattern, token string, want bool) {
		t.Helper()
		p, err := Parse(pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", pattern, err)
		}
		if got := p.MatchLine([]byte(token)); got != want {
			t.Fatalf("%s on %q = %v, want %v", pattern, token, got, want)
		}
	}
	f("[a=22]", "22", true)
	f("[a=22]", "022", true)
	f("[a=22]", "22.0", true)
	f("[a=22]", "2.2e1", true)
	f(`[a="22"]`, "22", true)
	f("[a=22]", "22x", false)
	f("[a!=22]", "22x", true)
	f("[a!=22]", "-", true)
	f("[a>22]", "-", false)
	f("[a<22]", "abc", false)
	f("[a>=1e6]", "1000000", true)
	f("[a>1e6]", "1000000", false)
	f("[a>1.5]", "2", true)
	f("[a<1.5]", "1", true)
	f("[a<=-1]", "-1", true)
	f("[a<0]", "-0", false)
	f("[a=0]", "-0", true)
	f("[a>18446744073709551614]", "18446744073709551615", true)
	f("[a<18446744073709551615]", "18446744073709551614", true)
	f("[a=18446744073709551615]", "18446744073709551614", false)
	f("[a>18446744073709551615]", "18446744073709551616", true)
	f("[a>+1000]", "1001", true)
	f("[a=.5]", "0.5", true)
	f("[a=1.]", "1", true)
	f("[a=1e]", "1e", true) // not a number: text
	f("[a=1e]", "1", false)
	f("[a=x]", "x", true)
	f("[a=x]", "X", false) // case-sensitive
	f("[a=4*]", "443", true)
	f("[a=4*]", "4", true)
	f("[a=4*]", "34", false)
	f("[a=*]", "-", true)
	f("[a=10.0.2.*]", "10.0.2.15", true)
	f("[a=10.0.2.*]", "10.0.20.15", false)
	f("[a=*.0.*.1]", "10.0.2.1", true)
	f("[a=*.0.*.1]", "10.1.2.1", false)
	f("[a=a*a]", "a", false)
	f("[a=a*a]", "aa", true)
	f("[a!=4*]", "443", false)
	f(`[a=%^4[0-9]3$%]`, "443", true)
	f(`[a=%^4[0-9]3$%]`, "4430", false)
	f(`[a!=%4%]`, "443", false)
	f(`[a=%4%]`, "343", true)
	f(`[a=-]`, "-", true)
	f(`[a=""]`, `""`, true)
}

func ExamplePattern_MatchLine() {
	p, err := Parse(`[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`)
	if err != nil {
		panic(err)
	}
	for _, line := range []string{
		"2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 22 6 20 4249 1418530010 1418530070 REJECT OK",
		"2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
	} {
		fmt.Println(p.MatchLine([]byte(line)))
	}
	// Output:
	// true
	// false
}
