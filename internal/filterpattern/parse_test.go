package filterpattern

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		p, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got := p.String(); got != want {
			t.Fatalf("Parse(%q).String() = %q, want %q", in, got, want)
		}
		p2, err := Parse(want)
		if err != nil {
			t.Fatalf("Parse(%q) (canonical form): %v", want, err)
		}
		if got := p2.String(); got != want {
			t.Fatalf("canonical form %q is not stable: %q", want, got)
		}
	}
	// Empty patterns.
	f("", "")
	f("   ", "")
	f(`""`, `""`)
	// Terms.
	f("ERROR", "ERROR")
	f(`"ERROR"`, "ERROR")
	f("ERROR   Exception", "ERROR Exception")
	f(`"Failed to process"`, `"Failed to process"`)
	f("?ERROR ?WARN", "?ERROR ?WARN")
	f(`"ERROR" - "Exiting"`, "ERROR -Exiting")
	f("ERROR -WARN", "ERROR -WARN")
	f(`?"a b" c`, `?"a b" c`)
	f(`"-1"`, `"-1"`)
	f(`"?x"`, `"?x"`)
	f(`"[x]"`, `"[x]"`)
	f(`"say \"hi\" \\o/"`, `"say \"hi\" \\o/"`)
	f(`"back\slash"`, `back\slash`)
	f("%AUTHORIZED%", "%AUTHORIZED%")
	f(`-%^10\.0\.%`, `-%^10\.0\.%`)
	f("10.0.2.15 eni-0abc", "10.0.2.15 eni-0abc")
	f("a*b", "a*b")
	// Bracketed.
	f("[a,b,c]", "[a, b, c]")
	f("[ a , b ]", "[a, b]")
	f("[..., status_code, bytes]", "[..., status_code, bytes]")
	f("[…, x]", "[..., x]")
	f("[ip, user, ...]", "[ip, user, ...]")
	f("[a, ..., b, ..., c]", "[a, ..., b, ..., c]")
	f("[bytes > 1000]", "[bytes>1000]")
	f("[status_code = 4*]", "[status_code=4*]")
	f(`[action="REJECT"]`, "[action=REJECT]")
	f(`[destport="22"]`, "[destport=22]")
	f(`[a == 1]`, "[a=1]")
	f(`[a="x y"]`, `[a="x y"]`)
	f(`[a="x,y"]`, `[a="x,y"]`)
	f(`[a=""]`, `[a=""]`)
	f(`[a="!x"]`, `[a="!x"]`)
	f(`[a=-]`, `[a=-]`)
	f(`[a="-"]`, `[a=-]`)
	f("[a=+1000, b=10e3, c<=-5.5]", "[a=+1000, b=10e3, c<=-5.5]")
	f("[w1=ERROR || w1=WARN, w2]", "[w1=ERROR || w1=WARN, w2]")
	f("[w1!=ERROR&&w1!=WARN, w2]", "[w1!=ERROR && w1!=WARN, w2]")
	f("[c>3 && c<10 || c=0]", "[c>3 && c<10 || c=0]")
	f("[(c=1 || c=2) && c!=3]", "[(c=1 || c=2) && c!=3]")
	f("[((c=1 && c=2)) && c=3]", "[c=1 && c=2 && c=3]")
	f("[(c=1 || c=2) || c=3]", "[c=1 || c=2 || c=3]")
	f("[c=1 && (c=2 && c=3)]", "[c=1 && c=2 && c=3]")
	f("[..., request=*.html*, status_code=4*,]", "[..., request=*.html*, status_code=4*, ]")
	f("[, a]", "[, a]")
	f("[a,,b]", "[a, , b]")
	f("[ , ]", "[, ]")
	f(`[src=%^10\.0\.2\.%]`, `[src=%^10\.0\.2\.%]`)
	f(`[a=x&y, b=x|y]`, `[a="x&y", b="x|y"]`)
	f(`[a=f(x]`, `[a="f(x"]`)
	f(`[log-status=OK]`, `[log-status=OK]`)
	f("[a=1]  ", "[a=1]")
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		_, err := Parse(in)
		if err == nil {
			t.Fatalf("Parse(%q) succeeded, want error %q", in, want)
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q) error %T is not a *SyntaxError", in, err)
		}
		if err.Error() != want {
			t.Fatalf("Parse(%q) error:\n got  %s\n want %s", in, err, want)
		}
	}
	f(`{ $.eventType = "UpdateTrail" }`, `filter pattern: col 1: JSON filter patterns ({ $.field = value }) are not supported: flow logs are space-delimited text; use a bracketed pattern such as [..., action=REJECT, status] or search terms`)
	f("[a, b c]", `filter pattern: col 7: expected an operator (=, !=, <, <=, >, >=), ',' or ']' after "b", found 'c'`)
	f("[version, account=1 x]", `filter pattern: col 21: expected ']' or ',', found 'x'`)
	f("[a, b", `filter pattern: col 6: expected ']' or ',', found end of pattern`)
	f("[]", `filter pattern: col 2: empty field list: name the fields of the line, e.g. [version, account, ..., action=REJECT, status]`)
	f("[a] b", `filter pattern: col 5: unexpected 'b' after ']': a bracketed pattern ends at its ']'`)
	f("[a, a]", `filter pattern: col 5: label "a" is already used by field 1: give each field its own name`)
	f("[..., x=1]x", `filter pattern: col 11: unexpected 'x' after ']': a bracketed pattern ends at its ']'`)
	f("[...=1]", `filter pattern: col 5: expected ']' or ',' after '...', found '=': '...' takes no condition`)
	f("[a=]", `filter pattern: col 4: expected a value after '=', found ']'`)
	f("[a=, b]", `filter pattern: col 4: expected a value after '=', found ','`)
	f("[a<x]", `filter pattern: col 4: operator < compares numbers, and "x" is a string: use = or != for text`)
	f("[a>4*]", `filter pattern: col 4: operator > compares numbers, and "4*" is a wildcard: use = or != for text`)
	f("[a>=%x%]", `filter pattern: col 5: operator >= compares numbers, and "x" is a regular expression: use = or != for text`)
	f("[a=!ERROR]", `filter pattern: col 3: '=!' is not an operator: write a!=value (or quote a value that starts with '!')`)
	f("[a=<5]", `filter pattern: col 4: expected a value after '=', found '<' (quote a value that starts with it)`)
	f(`[a="x]`, `filter pattern: col 4: unterminated quoted string: add the closing '"'`)
	f("[a=%x]", `filter pattern: col 4: unterminated regular expression: add the closing '%'`)
	f("[a=%(x)%]", `filter pattern: col 5: character '(' is not allowed in a regular expression (CloudWatch allows letters, digits, the symbols _#=@/;,-: and the operators ^$?[]{}|\*+.; write \s for a space)`)
	f("ERROR %a b%", `filter pattern: col 9: character ' ' is not allowed in a regular expression (CloudWatch allows letters, digits, the symbols _#=@/;,-: and the operators ^$?[]{}|\*+.; write \s for a space)`)
	f("[a=%x{2,1}%]", "filter pattern: col 4: bad regular expression %x{2,1}%: error parsing regexp: invalid repeat count: `{2,1}`")
	f("[status_code = 4* && bytes > 1000]", `filter pattern: col 22: condition on "bytes" inside field "status_code": an element holds conditions on its own field only; give each field its element, e.g. [..., status_code=4*, bytes>1000, ...]`)
	f("[(a=1 || b=2)]", `filter pattern: col 10: condition on "b" inside field "a": an element holds conditions on its own field only; give each field its element, e.g. [..., a=1, b=2, ...]`)
	f("[(a=1]", `filter pattern: col 6: expected ')', '&&' or '||', found ']'`)
	f("[a=1 &&]", `filter pattern: col 8: expected a field name or '(', found ']'`)
	f("[a=1 || , b]", `filter pattern: col 9: expected a field name or '(', found ','`)
	f("[=1]", `filter pattern: col 2: expected a field name, '...', ',' or ']', found '='`)
	f("[a.b]", `filter pattern: col 3: expected an operator (=, !=, <, <=, >, >=), ',' or ']' after "a", found '.'`)
	f("ERROR -", `filter pattern: col 8: expected a term after '-', found end of pattern`)
	f("?", `filter pattern: col 2: expected a term after '?', found end of pattern`)
	f("- -x", `filter pattern: col 3: expected a term after '-', found '-'`)
	f(`ERROR "unterminated`, `filter pattern: col 7: unterminated quoted string: add the closing '"'`)
	f(`"a"b`, `filter pattern: col 4: expected a space after the term, found 'b'`)
	f(`ab"c"`, `filter pattern: col 3: unexpected '"' inside a term: quote the whole term`)
	f("ERROR [x]", `filter pattern: col 7: '[' starts a pattern only at its beginning; to search for text containing it, quote the term`)
	f("%%", `filter pattern: col 1: empty regular expression %%`)
	f("%a", `filter pattern: col 1: unterminated regular expression: add the closing '%'`)
	f("é [a", `filter pattern: col 3: '[' starts a pattern only at its beginning; to search for text containing it, quote the term`)
	deep := "["
	for i := 0; i < 40; i++ {
		deep += "("
	}
	f(deep+"a=1", `filter pattern: col 34: parentheses nested more than 32 deep`)
}

// TestDocPatterns parses every pattern of the code blocks of
// docs/FILTER.md (lines that are not '#' comments), so that the
// documentation stays true.
func TestDocPatterns(t *testing.T) {
	doc, err := os.ReadFile("../../docs/FILTER.md")
	if err != nil {
		t.Fatal(err)
	}
	in, n := false, 0
	for i, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		if !in || line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := Parse(line); err != nil {
			t.Errorf("docs/FILTER.md:%d: %v", i+1, err)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d patterns found in docs/FILTER.md", n)
	}
}
