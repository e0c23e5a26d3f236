package filterpattern

import "strings"

// node is a SQL boolean expression under construction; constants fold.
type node struct {
	sql  string
	args []any
	k    int8 // kTrue, kFalse or 0
}

const (
	kTrue  int8 = 1
	kFalse int8 = -1
)

var (
	nodeTrue  = node{k: kTrue}
	nodeFalse = node{k: kFalse}
)

func konst(b bool) node {
	if b {
		return nodeTrue
	}
	return nodeFalse
}

func leaf(sql string, args ...any) node { return node{sql: sql, args: args} }

// join combines nodes with AND (and true) or OR (and false).
func join(and bool, nodes ...node) node {
	unit, absorb, word := kTrue, kFalse, " AND "
	if !and {
		unit, absorb, word = kFalse, kTrue, " OR "
	}
	var parts []node
	for _, n := range nodes {
		switch n.k {
		case absorb:
			return node{k: absorb}
		case unit:
			continue
		}
		parts = append(parts, n)
	}
	switch len(parts) {
	case 0:
		return node{k: unit}
	case 1:
		return parts[0]
	}
	var b strings.Builder
	var args []any
	b.WriteByte('(')
	for i, p := range parts {
		if i > 0 {
			b.WriteString(word)
		}
		b.WriteString(p.sql)
		args = append(args, p.args...)
	}
	b.WriteByte(')')
	return node{sql: b.String(), args: args}
}

func not(n node) node {
	if n.k != 0 {
		return konst(n.k == kFalse)
	}
	return node{sql: "NOT (" + n.sql + ")", args: n.args}
}
