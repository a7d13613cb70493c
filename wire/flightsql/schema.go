package flightsql

import (
	"context"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// resultSchema is the Arrow schema announced for a statement's rows: one
// nullable field per column, of the column type's Arrow type, with the
// Flight SQL column metadata (type name, precision, scale) of its SQL type.
func resultSchema(cols []engine.Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		// A variable-scale numeric goes out as decimal128 of its nominal
		// scale: Arrow has no per-value scale.
		t := c.Type.Static()
		fields[i] = arrow.Field{Name: c.Name, Type: flightType(t), Nullable: true, Metadata: typeMetadata(t).Metadata()}
	}
	return arrow.NewSchema(fields, nil)
}

// flightType is the Arrow type of t's values on Flight SQL: its Arrow
// type inside meshql, except inet, cidr and macaddr (and arrays of them),
// which go out as their text ('10.1.2.3', '10.0.0.0/8',
// '08:00:2b:01:02:03', with type name inet, cidr or macaddr in the
// column metadata). Arrow has no address type, and meshql's
// byte form of them is its own sort encoding, which no client reads;
// their text is what psql shows and what Python's ipaddress, pandas and
// DuckDB's inet read. Parameters of these types take text the same way.
func flightType(t sqltypes.Type) arrow.DataType {
	if hasAddress(t) {
		if t.Kind == sqltypes.List {
			return arrow.ListOf(flightType(*t.Elem))
		}
		return arrow.BinaryTypes.String
	}
	return t.Arrow()
}

// typeMetadata starts the Flight SQL column metadata of a SQL type.
func typeMetadata(t sqltypes.Type) *flightsql.ColumnMetadataBuilder {
	b := flightsql.NewColumnMetadataBuilder().TypeName(t.String())
	switch t.Kind {
	case sqltypes.Numeric:
		p := t.Precision
		if p <= 0 {
			p = sqltypes.MaxNumericPrecision
		}
		b.Precision(p).Scale(t.Scale)
	case sqltypes.Varchar, sqltypes.Bpchar:
		if t.Precision > 0 {
			b.Precision(t.Precision)
		}
	}
	return b.IsReadOnly(true).IsSearchable(true)
}

// conformer gives a result's batches the schema announced for it.
type conformer struct {
	schema *arrow.Schema
	types  []sqltypes.Type
	// equal is the last batch schema found equal to schema: operators
	// share one schema across their batches, so comparing every field's
	// name, type and metadata again for each batch is wasted.
	equal *arrow.Schema
}

// conform returns b with the announced schema: the same arrays when only
// names, nullability or metadata differ, and cast arrays (dictionary
// strings decoded, for one) when an Arrow type differs. The caller still
// releases b.
func (c *conformer) conform(ctx context.Context, mem memory.Allocator, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	if err := expr.CheckArrowNumerics(b); err != nil {
		return nil, err
	}
	schema, types := c.schema, c.types
	if bs := b.Schema(); bs == c.equal || bs.Equal(schema) {
		c.equal = bs
		b.Retain()
		return b, nil
	}
	if int(b.NumCols()) != schema.NumFields() {
		return nil, sqltypes.New(sqltypes.CodeInternal, "result batch has %d columns, the schema announced %d", b.NumCols(), schema.NumFields())
	}
	cols := make([]arrow.Array, b.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range b.Columns() {
		want := schema.Field(i).Type
		if arrow.TypeEqual(c.DataType(), want) {
			c.Retain()
			cols[i] = c
			continue
		}
		var out arrow.Array
		var err error
		if i < len(types) && hasAddress(types[i]) {
			out, err = expr.InetText(mem, types[i], c)
		} else {
			out, err = castArray(ctx, mem, c, want)
		}
		if err != nil {
			return nil, sqltypes.Wrap(err, sqltypes.CodeInternal, "column %s: cannot convert %s to %s: %v",
				strconv.Quote(schema.Field(i).Name), c.DataType(), want, err)
		}
		cols[i] = out
	}
	return array.NewRecordBatch(schema, cols, b.NumRows()), nil
}

// castArray converts a to type to with arrow-go's cast kernels; dictionary
// arrays are decoded first.
func castArray(ctx context.Context, mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	if _, ok := sqltypes.VarNumericNominal(a.DataType()); ok {
		if d, ok := to.(*arrow.Decimal128Type); ok {
			return expr.VarNumericToDecimal(mem, a, d.Scale)
		}
	}
	if d, err := expr.DecimalArray(mem, a); err != nil || d != nil {
		// An array of variable-scale numerics: its elements at their
		// nominal scale, then cast as any array.
		if err != nil {
			return nil, err
		}
		defer d.Release()
		if arrow.TypeEqual(d.DataType(), to) {
			d.Retain()
			return d, nil
		}
		a = d
	}
	ctx = compute.WithAllocator(ctx, mem)
	if d, ok := a.(*array.Dictionary); ok {
		dec, err := compute.TakeArray(ctx, d.Dictionary(), d.Indices())
		if err != nil {
			return nil, err
		}
		defer dec.Release()
		if arrow.TypeEqual(dec.DataType(), to) {
			dec.Retain()
			return dec, nil
		}
		a = dec
	}
	return compute.CastArray(ctx, a, compute.SafeCastOptions(to))
}

// arrowOneRow is a batch of one row and no columns, to evaluate constant
// expressions on.
func arrowOneRow() arrow.RecordBatch {
	return array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
}

// columnTypes lists the SQL types of a result's columns, as announced.
func columnTypes(cols []engine.Column) []sqltypes.Type {
	out := make([]sqltypes.Type, len(cols))
	for i, c := range cols {
		out[i] = c.Type.Static()
	}
	return out
}

// hasAddress reports whether t is inet, cidr or macaddr, or an array of
// one: the types Flight SQL carries as text.
func hasAddress(t sqltypes.Type) bool {
	return t.HasKind(sqltypes.Inet) || t.HasKind(sqltypes.Cidr) || t.HasKind(sqltypes.Macaddr)
}
