package planner

import (
	"context"
	"slices"
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
	// ForceQuoteAll and ForceQuote are FORCE_QUOTE * and FORCE_QUOTE
	// (names); ForceQuoteCols marks, per result column, the columns
	// whose non-NULL values are always quoted.
	ForceQuoteAll  bool
	ForceQuote     []string
	ForceQuoteCols []bool
	// Encoding is the ENCODING the text and CSV data are sent in: ""
	// (the client's client_encoding), UTF8 or SQL_ASCII (as meshql
	// holds it) or a single-byte encoding ("LATIN1").
	Encoding string
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
	table := ""
	if cs.Query == nil {
		table = cs.Relation.GetRelname()
	}
	if err := o.resolveForceQuote(q.Columns, table, len(cs.Attlist) > 0); err != nil {
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
// old CSV HEADER keywords, which the parser turns into the same DefElems)
// as PostgreSQL 15's ProcessCopyOptions does: an option given twice is
// 42601 at its second place, a value of the wrong kind is PostgreSQL's
// error, and FREEZE, which only COPY FROM reads, is accepted.
func copyOptions(list []*pg_query.Node) (CopyOptions, error) {
	o := CopyOptions{}
	var delim, null, quote, escape *string
	var format, header, freeze, encoding bool
	var forceQuote, forceNotNull, forceNull bool
	seen := func(d *pg_query.DefElem, set *bool) error {
		if *set {
			return sqltypes.New(sqltypes.CodeSyntaxError, "conflicting or redundant options").WithPosition(int(d.Location) + 1)
		}
		*set = true
		return nil
	}
	str := func(d *pg_query.DefElem, dst **string) error {
		if *dst != nil {
			return sqltypes.New(sqltypes.CodeSyntaxError, "conflicting or redundant options").WithPosition(int(d.Location) + 1)
		}
		v := defString(d)
		*dst = &v
		return nil
	}
	for _, n := range list {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		val := defString(d)
		var err error
		switch d.Defname {
		case "format":
			if err = seen(d, &format); err != nil {
				break
			}
			switch val {
			case "text":
				o.Format = CopyText
			case "csv":
				o.Format = CopyCSV
			case "binary":
				o.Format = CopyBinary
			default:
				err = sqltypes.New(sqltypes.CodeInvalidParameterValue, "COPY format \"%s\" not recognized", val).WithPosition(int(d.Location) + 1)
			}
		case "freeze":
			if err = seen(d, &freeze); err == nil {
				_, err = copyBoolean(d, false)
			}
		case "header":
			if err = seen(d, &header); err == nil {
				o.Header, err = copyBoolean(d, true)
			}
		case "delimiter":
			err = str(d, &delim)
		case "null":
			err = str(d, &null)
		case "quote":
			err = str(d, &quote)
		case "escape":
			err = str(d, &escape)
		case "force_quote":
			if err = seen(d, &forceQuote); err != nil {
				break
			}
			switch {
			case d.Arg != nil && d.Arg.GetAStar() != nil:
				o.ForceQuoteAll = true
			case d.Arg != nil && d.Arg.GetList() != nil:
				for _, c := range d.Arg.GetList().Items {
					o.ForceQuote = append(o.ForceQuote, c.GetString_().GetSval())
				}
			default:
				err = sqltypes.New(sqltypes.CodeInvalidParameterValue, "argument to option \"%s\" must be a list of column names", d.Defname).WithPosition(int(d.Location) + 1)
			}
		case "force_not_null", "force_null":
			set := &forceNotNull
			if d.Defname == "force_null" {
				set = &forceNull
			}
			if err = seen(d, set); err == nil && (d.Arg == nil || d.Arg.GetList() == nil) {
				err = sqltypes.New(sqltypes.CodeInvalidParameterValue, "argument to option \"%s\" must be a list of column names", d.Defname).WithPosition(int(d.Location) + 1)
			}
		case "encoding":
			if err = seen(d, &encoding); err != nil {
				break
			}
			o.Encoding, err = copyEncoding(val)
			if err != nil {
				err = err.(*sqltypes.Error).WithPosition(int(d.Location) + 1)
			}
		default:
			err = sqltypes.New(sqltypes.CodeSyntaxError, "option \"%s\" not recognized", d.Defname).WithPosition(int(d.Location) + 1)
		}
		if err != nil {
			return o, err
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
	if err := checkCopyOptions(o, csv, quote != nil, escape != nil); err != nil {
		return o, err
	}
	switch {
	case !csv && forceQuote:
		return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY force quote available only in CSV mode")
	case !csv && forceNotNull:
		return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY force not null available only in CSV mode")
	case forceNotNull:
		return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY force not null only available using COPY FROM")
	case !csv && forceNull:
		return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY force null available only in CSV mode")
	case forceNull:
		return o, sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY force null only available using COPY FROM")
	}
	return o, checkCopyNull(o, csv)
}

// copyBoolean reads a Boolean COPY option as PostgreSQL's defGetBoolean
// (0, 1, true, false, on, off; no value is true); HEADER also names
// "match", which only COPY FROM takes.
func copyBoolean(d *pg_query.DefElem, header bool) (bool, error) {
	if d.Arg == nil {
		return true, nil
	}
	if b := d.Arg.GetBoolean(); b != nil { // CSV HEADER, the old syntax
		return b.Boolval, nil
	}
	if i := d.Arg.GetInteger(); i != nil {
		switch i.Ival {
		case 0:
			return false, nil
		case 1:
			return true, nil
		}
		return false, copyBooleanErr(d, header)
	}
	switch v := strings.ToLower(defString(d)); v {
	case "true", "on":
		return true, nil
	case "false", "off":
		return false, nil
	case "match":
		if header {
			return false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot use \"%s\" with HEADER in COPY TO", defString(d))
		}
	}
	return false, copyBooleanErr(d, header)
}

func copyBooleanErr(d *pg_query.DefElem, header bool) error {
	if header {
		return sqltypes.New(sqltypes.CodeSyntaxError, "%s requires a Boolean value or \"match\"", d.Defname)
	}
	return sqltypes.New(sqltypes.CodeSyntaxError, "%s requires a Boolean value", d.Defname)
}

// resolveForceQuote marks the columns FORCE_QUOTE names, as PostgreSQL's
// CopyGetAttnums finds them among the result's columns (the first of a
// name). table is the relation of COPY table TO, "" for COPY (query);
// listed tells that the table form names its columns.
func (o *CopyOptions) resolveForceQuote(cols []bind.OutputColumn, table string, listed bool) error {
	if len(o.ForceQuote) == 0 {
		return nil
	}
	o.ForceQuoteCols = make([]bool, len(cols))
	for _, name := range o.ForceQuote {
		i := slices.IndexFunc(cols, func(c bind.OutputColumn) bool { return c.Name == name })
		switch {
		case i >= 0:
			o.ForceQuoteCols[i] = true
		case table == "":
			return sqltypes.New(sqltypes.CodeUndefinedColumn, "column \"%s\" does not exist", name)
		case listed:
			return sqltypes.New(sqltypes.CodeInvalidColumnReference, "FORCE_QUOTE column \"%s\" not referenced by COPY", name)
		default:
			return sqltypes.New(sqltypes.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, table)
		}
	}
	return nil
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
	}
	return nil
}

// checkCopyNull refuses a NULL string that holds the delimiter or the CSV
// quote: PostgreSQL's last checks, after those of the FORCE options.
func checkCopyNull(o CopyOptions, csv bool) error {
	switch {
	case strings.Contains(o.Null, o.Delimiter):
		return sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY delimiter must not appear in the NULL specification")
	case csv && strings.Contains(o.Null, o.Quote):
		return sqltypes.New(sqltypes.CodeFeatureNotSupported, "CSV quote character must not appear in the NULL specification")
	}
	return nil
}

// copyEncoding reads COPY's ENCODING, by its canonical name: UTF8 and
// SQL_ASCII send the text as it is (meshql's text is UTF8), whatever the
// client_encoding; a single-byte encoding (LATIN1…LATIN10,
// WIN1250…WIN1258, WIN866, WIN874, ISO_8859_5…8, KOI8R, KOI8U) converts
// it; the multibyte Asian encodings PostgreSQL knows are 0A000, a name it
// does not know 22023.
func copyEncoding(name string) (string, error) {
	enc, ok := sqltypes.EncodingName(name)
	switch {
	case !ok:
		return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "argument to option \"encoding\" must be a valid encoding name")
	case enc == "UTF8" || enc == "SQL_ASCII" || sqltypes.SingleByteEncoding(enc):
		return enc, nil
	}
	return "", sqltypes.New(sqltypes.CodeFeatureNotSupported, "COPY encoding %q is not supported; meshql sends UTF8 and the single-byte encodings (LATIN1, WIN1252, …)", name)
}
