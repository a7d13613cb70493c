package flightsql

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/sqltypes"
)

// registerSqlInfo records the facts GetSqlInfo reports: the server, its
// read-only PostgreSQL dialect, and what it supports.
func (v *service) registerSqlInfo() error {
	info := map[flightsql.SqlInfo]any{
		flightsql.SqlInfoFlightSqlServerName:           "meshql",
		flightsql.SqlInfoFlightSqlServerVersion:        v.cfg.ServerVersion,
		flightsql.SqlInfoFlightSqlServerArrowVersion:   arrow.PkgVersion,
		flightsql.SqlInfoFlightSqlServerReadOnly:       true,
		flightsql.SqlInfoFlightSqlServerSql:            true,
		flightsql.SqlInfoFlightSqlServerSubstrait:      false,
		flightsql.SqlInfoFlightSqlServerTransaction:    int32(flightsql.SqlTransactionNone),
		flightsql.SqlInfoFlightSqlServerCancel:         true,
		flightsql.SqlInfoTransactionsSupported:         false,
		flightsql.SqlInfoDDLCatalog:                    false,
		flightsql.SqlInfoDDLSchema:                     false,
		flightsql.SqlInfoDDLTable:                      false,
		flightsql.SqlInfoIdentifierCase:                int64(flightsql.SqlCaseSensitivityLowerCase),
		flightsql.SqlInfoIdentifierQuoteChar:           `"`,
		flightsql.SqlInfoQuotedIdentifierCase:          int64(flightsql.SqlCaseSensitivityCaseInsensitive),
		flightsql.SqlInfoAllTablesAreASelectable:       false, // tables are filtered by read policy already
		flightsql.SqlInfoNullOrdering:                  int64(flightsql.SqlNullOrderingSortHigh),
		flightsql.SqlInfoSearchStringEscape:            `\`,
		flightsql.SqlInfoSupportsColumnAliasing:        true,
		flightsql.SqlInfoNullPlusNullIsNull:            true,
		flightsql.SqlInfoSupportsTableCorrelationNames: true,
		flightsql.SqlInfoSupportsExpressionsInOrderBy:  true,
		flightsql.SqlInfoSupportsLikeEscapeClause:      true,
		flightsql.SqlInfoSchemaTerm:                    "schema",
		flightsql.SqlInfoCatalogTerm:                   "database",
		flightsql.SqlInfoProcedureTerm:                 "function",
		flightsql.SqlInfoCatalogAtStart:                true,
		flightsql.SqlInfoSelectForUpdateSupported:      false,
		flightsql.SqlInfoStoredProceduresSupported:     false,
		flightsql.SqlInfoCorrelatedSubqueriesSupported: true,
		flightsql.SqlInfoMaxColumnNameLen:              int64(63),
		flightsql.SqlInfoMaxTableNameLen:               int64(63),
		flightsql.SqlInfoDBSchemaNameLen:               int64(63),
		flightsql.SqlInfoKeywords: []string{"ALL", "AND", "ANY", "ARRAY", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST",
			"CROSS", "DESC", "DISTINCT", "ELSE", "END", "EXCEPT", "EXISTS", "EXPLAIN", "FALSE", "FETCH", "FILTER",
			"FROM", "FULL", "GROUP", "HAVING", "ILIKE", "IN", "INNER", "INTERSECT", "INTERVAL", "IS", "JOIN",
			"LATERAL", "LEFT", "LIKE", "LIMIT", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER", "OVER",
			"RIGHT", "SELECT", "SET", "SHOW", "SOME", "THEN", "TRUE", "UNION", "USING", "VALUES", "WHEN",
			"WHERE", "WINDOW", "WITH"},
	}
	for id, val := range info {
		if err := v.RegisterSqlInfo(id, val); err != nil {
			return err
		}
	}
	v.sqlInfo = info
	return nil
}

// knownInfo filters a GetSqlInfo request to the registered facts, so that
// a client asking for one meshql does not report gets the others rather
// than an error.
type knownInfo struct{ ids []uint32 }

func (k knownInfo) GetInfo() []uint32 { return k.ids }

// DoGetSqlInfo serves the registered facts asked for (all when none are
// named); unknown ids are left out.
func (v *service) DoGetSqlInfo(ctx context.Context, cmd flightsql.GetSqlInfo) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	if len(cmd.GetInfo()) == 0 {
		return v.BaseServer.DoGetSqlInfo(ctx, cmd)
	}
	var ids []uint32
	for _, id := range cmd.GetInfo() {
		if _, ok := v.sqlInfo[flightsql.SqlInfo(id)]; ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		b := array.NewRecordBuilder(v.mem, schema_ref.SqlInfo)
		defer b.Release()
		return oneBatch(b.NewRecordBatch())
	}
	return v.BaseServer.DoGetSqlInfo(ctx, knownInfo{ids})
}

// xdbcType describes one SQL type for GetXdbcTypeInfo.
type xdbcType struct {
	t        sqltypes.Type
	dataType int32 // XdbcDataType (JDBC/ODBC type code)
	size     int32 // column size (precision); 0 = null
	quoted   bool  // literals are written '…'
}

var xdbcTypes = []xdbcType{
	{sqltypes.TypeBool, -7, 1, false},
	{sqltypes.TypeInt2, 5, 5, false},
	{sqltypes.TypeInt4, 4, 10, false},
	{sqltypes.TypeInt8, -5, 19, false},
	{sqltypes.TypeFloat4, 7, 24, false},
	{sqltypes.TypeFloat8, 8, 53, false},
	{sqltypes.NumericType(0, 0), 2, sqltypes.MaxNumericPrecision, false},
	{sqltypes.TypeText, 12, 0, true},
	{sqltypes.Type{Kind: sqltypes.Varchar}, 12, 0, true},
	{sqltypes.Type{Kind: sqltypes.Bpchar}, 1, 0, true}, // CHAR
	{sqltypes.TypeBytea, -3, 0, true},
	{sqltypes.TypeDate, 91, 10, true},
	{sqltypes.TypeTimestamp, 93, 26, true},
	{sqltypes.TypeTimestampTZ, 93, 32, true},
	{sqltypes.TypeTime, 92, 15, true},
	{sqltypes.TypeInterval, 10, 0, true},
	{sqltypes.TypeUUID, 1, 36, true},
	{sqltypes.TypeJSON, 12, 0, true},
	{sqltypes.TypeJSONB, 12, 0, true},
}

func (v *service) GetFlightInfoXdbcTypeInfo(ctx context.Context, _ flightsql.GetXdbcTypeInfo, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return v.metaInfo(desc, schema_ref.XdbcTypeInfo), nil
}

// DoGetXdbcTypeInfo lists the SQL types of sqltypes, optionally only those
// of one XDBC data type.
func (v *service) DoGetXdbcTypeInfo(ctx context.Context, cmd flightsql.GetXdbcTypeInfo) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(v.mem, schema_ref.XdbcTypeInfo)
	defer b.Release()
	str := func(i int) *array.StringBuilder { return b.Field(i).(*array.StringBuilder) }
	i32 := func(i int) *array.Int32Builder { return b.Field(i).(*array.Int32Builder) }
	boolean := func(i int) *array.BooleanBuilder { return b.Field(i).(*array.BooleanBuilder) }
	for _, x := range xdbcTypes {
		if dt := cmd.GetDataType(); dt != nil && *dt != x.dataType {
			continue
		}
		name := x.t.String()
		str(0).Append(name)
		i32(1).Append(x.dataType)
		if x.size > 0 {
			i32(2).Append(x.size)
		} else {
			i32(2).AppendNull()
		}
		if x.quoted {
			str(3).Append("'")
			str(4).Append("'")
		} else {
			str(3).AppendNull()
			str(4).AppendNull()
		}
		params := b.Field(5).(*array.ListBuilder)
		params.Append(true)
		switch x.t.Kind {
		case sqltypes.Numeric:
			params.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"precision", "scale"}, nil)
		case sqltypes.Varchar, sqltypes.Bpchar:
			params.ValueBuilder().(*array.StringBuilder).Append("length")
		}
		i32(6).Append(1) // nullable
		boolean(7).Append(x.t.IsString() || x.t.Kind == sqltypes.Bpchar)
		i32(8).Append(3) // searchable
		if x.t.IsNumeric() {
			boolean(9).Append(false)
		} else {
			boolean(9).AppendNull()
		}
		boolean(10).Append(false)
		boolean(11).Append(false)
		str(12).Append(name)
		if x.t.Kind == sqltypes.Numeric {
			i32(13).Append(0)
			i32(14).Append(sqltypes.MaxNumericPrecision)
		} else {
			i32(13).AppendNull()
			i32(14).AppendNull()
		}
		sqlType := x.dataType
		if x.t.IsTemporal() || x.t.Kind == sqltypes.Time {
			sqlType = 9 // XDBC_DATETIME, with the subcode below
		}
		i32(15).Append(sqlType)
		switch x.t.Kind {
		case sqltypes.Date:
			i32(16).Append(1)
		case sqltypes.Time:
			i32(16).Append(2)
		case sqltypes.Timestamp, sqltypes.TimestampTZ:
			i32(16).Append(3)
		default:
			i32(16).AppendNull()
		}
		if x.t.IsNumeric() {
			i32(17).Append(10)
		} else {
			i32(17).AppendNull()
		}
		i32(18).AppendNull()
	}
	return oneBatch(b.NewRecordBatch())
}

// DoPutCommandStatementUpdate runs a statement that returns no rows (SET,
// RESET, BEGIN…) and reports 0 rows changed; meshql is read-only.
func (v *service) DoPutCommandStatementUpdate(ctx context.Context, cmd flightsql.StatementUpdate) (int64, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return 0, err
	}
	// Analyzed and run as one statement (engine.StatementScope).
	sc := s.sess.BeginStatement()
	defer sc.End()
	ctx = sc.Context(ctx)
	st, err := s.prepareOne(ctx, cmd.GetQuery())
	if err != nil {
		return 0, toStatus(err)
	}
	if st.Columns() != nil {
		return 0, status.Error(codes.InvalidArgument, "ERROR 42809: a query that returns rows cannot run as an update; use ExecuteQuery")
	}
	s.mu.Lock()
	res, err := st.Execute(ctx, nil)
	s.mu.Unlock()
	if res != nil {
		_ = res.Close()
	}
	if err != nil {
		return 0, toStatus(err)
	}
	return 0, nil
}
