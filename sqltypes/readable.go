package sqltypes

// ReadableAs reports whether every value of a source column of type got is
// a value of the declared type, unchanged: the same type, or a narrower
// integer (int2 and int4 for int8), float (float4 for float8) or string
// type (varchar for text), a range as text, or strings read into character(n),
// varchar(n), inet, cidr or macaddr, checked as they are read. A producer may store a column narrower than its
// contract promises; anything else (a retyped or narrowed column) would be
// cast into different values or fail mid-query.
//
// It is the one definition of a compatible source type: query-time
// contract checks and `meshql check` both use it, so a source the gate
// passes is a source queries read.
func ReadableAs(got, declared Type) bool {
	if got.Equal(declared) || got.Kind == Cidr && declared.Kind == Inet {
		return true // every cidr is an inet, in the same bytes
	}
	if got.IsRange() && declared.Kind == Text {
		// A range is held as its canonical text: a product that declared
		// its range column text (as meshql read ranges before it had
		// them) keeps reading that text.
		return true
	}
	if got.Kind == Varchar && declared.Kind == Varchar && got.Precision > 0 && declared.Precision > 0 {
		return got.Precision <= declared.Precision
	}
	if (declared.Kind == Bpchar || declared.Kind == Varchar && declared.Precision > 0) && (got.IsString() || got.Kind == Bpchar) {
		// Strings are read into character(n) and varchar(n) as PostgreSQL
		// stores them: blank-padded into character(n); a longer value
		// fails its query with 22001 (expr.AssignCast), as an INSERT
		// would. A file format's strings have no length to compare.
		return true
	}
	if (declared.Kind == Inet || declared.Kind == Cidr || declared.Kind == Macaddr) && got.IsString() {
		// Addresses kept as text (Parquet and CSV have no address type)
		// are read by the type's input function; a value that is none
		// fails its query with 22P02, as an INSERT would.
		return true
	}
	gf, gw := widthRank(got)
	df, dw := widthRank(declared)
	return gf != 0 && gf == df && gw <= dw
}

// widthRank places the types ReadableAs widens in a family (0: none) and
// an order of width within it.
func widthRank(t Type) (family, width int) {
	switch t.Kind {
	case Int2:
		return 1, 2
	case Int4:
		return 1, 4
	case Int8:
		return 1, 8
	case Float4:
		return 2, 4
	case Float8:
		return 2, 8
	case Text:
		return 3, 2
	case Varchar:
		if t.Precision == 0 {
			return 3, 2 // unbounded varchar is text
		}
		return 3, 1
	}
	return 0, 0
}
