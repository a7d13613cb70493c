package planner

import (
	"context"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/sqltypes"
)

// CopyFormat is the data format of COPY ... TO STDOUT.
type CopyFormat uint8

const (
	CopyText CopyFormat = iota
	CopyCSV
	CopyBinary
)

// CopyOptions are the options of COPY ... TO STDOUT, with PostgreSQL's
// defaults filled in for the format.
type CopyOptions struct {
	Format    CopyFormat
	Header    bool
	Delimiter string // one byte
	Null      string
	Quote     string // CSV only; one byte
	Escape    string // CSV only; one byte
}

// analyzeCopy binds COPY (query) TO STDOUT and COPY table [(cols)] TO
// STDOUT; the table form is the query SELECT cols FROM table, so policies
// apply exactly as to any query. meshql is read-only: COPY FROM and COPY to
// a server-side file or program are refused.
func analyzeCopy(ctx context.Context, cat bind.Catalog, cs *pg_query.CopyStmt, opts bind.Options, out *Statement) (*Statement, error) {
	if cs.IsFrom {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY FROM is not supported: meshql serves read-only queries")
	}
	if cs.Filename != "" || cs.IsProgram {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY to a file or program is not supported").
			WithHint("Use COPY ... TO STDOUT, or psql's \\copy.")
	}
	if cs.WhereClause != nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "WHERE clause not allowed with COPY TO")
	}
	o, err := copyOptions(cs.Options)
	if err != nil {
		return nil, err
	}
	query := cs.Query
	if query == nil {
		query = selectFrom(cs.Relation, cs.Attlist)
	}
	if query.GetSelectStmt() == nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY (statement) TO is supported for queries only")
	}
	q, err := bind.BindSelect(ctx, cat, query, opts)
	if err != nil {
		return nil, err
	}
	out.Kind, out.Query, out.Copy, out.Tag = KindCopyOut, q, o, "COPY"
	return out, nil
}

// selectFrom builds SELECT cols FROM rel (SELECT * without cols).
func selectFrom(rel *pg_query.RangeVar, cols []*pg_query.Node) *pg_query.Node {
	var targets []*pg_query.Node
	for _, c := range cols {
		name := c.GetString_().GetSval()
		targets = append(targets, pg_query.MakeResTargetNodeWithVal(pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(name)}, 0), 0))
	}
	if len(targets) == 0 {
		targets = []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeAStarNode()}, 0), 0)}
	}
	return &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList: targets,
		FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: rel}}},
		Op:         pg_query.SetOperation_SETOP_NONE,
	}}}
}

// copyOptions reads COPY's option list (both the WITH (...) form and the
// old CSV HEADER keywords, which the parser turns into the same DefElems).
func copyOptions(list []*pg_query.Node) (CopyOptions, error) {
	o := CopyOptions{}
	var delim, null, quote, escape *string
	for _, n := range list {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		val := defString(d)
		switch d.Defname {
		case "format":
			switch strings.ToLower(val) {
			case "text":
				o.Format = CopyText
			case "csv":
				o.Format = CopyCSV
			case "binary":
				o.Format = CopyBinary
			default:
				return o, sqltypes.New(sqltypes.CodeInvalidParameterValue, "COPY format \"%s\" not recognized", val)
			}
		case "header":
			if strings.EqualFold(val, "match") {
				return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot use \"match\" with HEADER in COPY TO")
			}
			o.Header = defBool(d)
		case "delimiter":
			delim = &val
		case "null":
			null = &val
		case "quote":
			quote = &val
		case "escape":
			escape = &val
		case "encoding":
			if e := strings.ToUpper(strings.ReplaceAll(val, "-", "")); e != "UTF8" {
				return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY encoding %q is not supported; meshql sends UTF8", val)
			}
		case "force_quote", "force_not_null", "force_null", "freeze", "default", "on_error":
			return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY option %q is not supported", d.Defname)
		default:
			return o, sqltypes.New(sqltypes.CodeSyntaxError, "option \"%s\" not recognized", d.Defname)
		}
	}
	if o.Format == CopyBinary && delim != nil {
		return o, sqltypes.New(sqltypes.CodeSyntaxError, "cannot specify DELIMITER in BINARY mode")
	}
	if o.Format == CopyBinary && null != nil {
		return o, sqltypes.New(sqltypes.CodeSyntaxError, "cannot specify NULL in BINARY mode")
	}
	csv := o.Format == CopyCSV
	o.Delimiter, o.Null = "\t", `\N`
	if csv {
		o.Delimiter, o.Null, o.Quote = ",", "", `"`
	}
	for _, p := range []struct{ v, dst *string }{{delim, &o.Delimiter}, {null, &o.Null}, {quote, &o.Quote}} {
		if p.v != nil {
			*p.dst = *p.v
		}
	}
	o.Escape = o.Quote // CSV's default escape is the quote
	if escape != nil {
		o.Escape = *escape
	}
	return o, checkCopyOptions(o, csv, quote != nil, escape != nil)
}

// checkCopyOptions refuses what PostgreSQL's ProcessCopyOptions refuses,
// in its order, with its SQLSTATEs and messages: a delimiter, quote or
// escape that is not one byte, line ends in the delimiter or the NULL
// string (the output could not be read back), a text-format delimiter
// that a value's escapes use, a CSV delimiter equal to the quote, a NULL
// string holding the delimiter or the CSV quote.
func checkCopyOptions(o CopyOptions, csv, quote, escape bool) error {
	bad := func(code, format string, args ...any) error { return sqltypes.New(code, format, args...) }
	switch {
	case len(o.Delimiter) != 1:
		return bad(sqltypes.CodeFeatureNotSupported, "COPY delimiter must be a single one-byte character")
	case strings.ContainsAny(o.Delimiter, "\r\n"):
		return bad(sqltypes.CodeInvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	case strings.ContainsAny(o.Null, "\r\n"):
		return bad(sqltypes.CodeInvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	case !csv && strings.Contains(`\.abcdefghijklmnopqrstuvwxyz0123456789`, o.Delimiter):
		return bad(sqltypes.CodeInvalidParameterValue, "COPY delimiter cannot be \"%s\"", o.Delimiter)
	case o.Format == CopyBinary && o.Header:
		return bad(sqltypes.CodeFeatureNotSupported, "cannot specify HEADER in BINARY mode")
	case !csv && quote:
		return bad(sqltypes.CodeFeatureNotSupported, "COPY quote available only in CSV mode")
	case csv && len(o.Quote) != 1:
		return bad(sqltypes.CodeFeatureNotSupported, "COPY quote must be a single one-byte character")
	case csv && o.Delimiter == o.Quote:
		return bad(sqltypes.CodeInvalidParameterValue, "COPY delimiter and quote must be different")
	case !csv && escape:
		return bad(sqltypes.CodeFeatureNotSupported, "COPY escape available only in CSV mode")
	case csv && len(o.Escape) != 1:
		return bad(sqltypes.CodeFeatureNotSupported, "COPY escape must be a single one-byte character")
	case strings.Contains(o.Null, o.Delimiter):
		return bad(sqltypes.CodeFeatureNotSupported, "COPY delimiter must not appear in the NULL specification")
	case csv && strings.Contains(o.Null, o.Quote):
		return bad(sqltypes.CodeFeatureNotSupported, "CSV quote character must not appear in the NULL specification")
	}
	return nil
}
