package flightsql

import (
	"context"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
)

// catalogName is the one catalog meshql serves (PostgreSQL's database).
const catalogName = "mesh"

// Table types: products stored in a source, and products defined by SQL.
const (
	tableTypeTable = "TABLE"
	tableTypeView  = "VIEW"
)

// visibleProducts returns the products user may read, in catalog order,
// as the policy decision point decides for every other front.
func (v *service) visibleProducts(user string) (*catalog.Mesh, []*catalog.Product) {
	mesh := v.eng.Mesh()
	who := policy.PrincipalOf(mesh, user)
	var out []*catalog.Product
	for _, p := range mesh.Products {
		if policy.Decide(mesh, who, p).CanRead {
			out = append(out, p)
		}
	}
	return mesh, out
}

// metaInfo is the FlightInfo of a metadata command: its ticket is the
// command itself.
func (v *service) metaInfo(desc *flight.FlightDescriptor, schema *arrow.Schema) *flight.FlightInfo {
	return &flight.FlightInfo{
		Schema:           flight.SerializeSchema(schema, v.mem),
		FlightDescriptor: desc,
		Endpoint:         []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: desc.Cmd}}},
		TotalRecords:     -1,
		TotalBytes:       -1,
	}
}

// oneBatch streams a single batch (taking ownership of it).
func oneBatch(b arrow.RecordBatch) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	ch := make(chan flight.StreamChunk, 1)
	ch <- flight.StreamChunk{Data: b}
	close(ch)
	return b.Schema(), ch, nil
}

// catalogMatches reports whether a catalog filter admits "mesh".
func catalogMatches(c *string) bool { return c == nil || *c == "" || *c == catalogName }

func (v *service) GetFlightInfoCatalogs(ctx context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return v.metaInfo(desc, schema_ref.Catalogs), nil
}

// DoGetCatalogs lists the one catalog, "mesh".
func (v *service) DoGetCatalogs(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(v.mem, schema_ref.Catalogs)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append(catalogName)
	return oneBatch(b.NewRecordBatch())
}

func (v *service) GetFlightInfoSchemas(ctx context.Context, _ flightsql.GetDBSchemas, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return v.metaInfo(desc, schema_ref.DBSchemas), nil
}

// DoGetDBSchemas lists the domains in which the user may read a product
// (every domain for admins), filtered by a LIKE pattern.
func (v *service) DoGetDBSchemas(ctx context.Context, cmd flightsql.GetDBSchemas) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	b := array.NewRecordBuilder(v.mem, schema_ref.DBSchemas)
	defer b.Release()
	if catalogMatches(cmd.GetCatalog()) {
		mesh, products := v.visibleProducts(s.user)
		admin := slices.Contains(mesh.RolesOf(s.user), "admin")
		for _, d := range mesh.Domains {
			if !likeMatch(cmd.GetDBSchemaFilterPattern(), d.Name) {
				continue
			}
			if admin || slices.ContainsFunc(products, func(p *catalog.Product) bool { return p.Domain == d.Name }) {
				b.Field(0).(*array.StringBuilder).Append(catalogName)
				b.Field(1).(*array.StringBuilder).Append(d.Name)
			}
		}
	}
	return oneBatch(b.NewRecordBatch())
}

func (v *service) GetFlightInfoTables(ctx context.Context, cmd flightsql.GetTables, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	if cmd.GetIncludeSchema() {
		return v.metaInfo(desc, schema_ref.TablesWithIncludedSchema), nil
	}
	return v.metaInfo(desc, schema_ref.Tables), nil
}

// DoGetTables lists the product versions the user may read as tables
// named product_vN in their domain's schema; with include_schema, each
// row carries the table's Arrow schema, whose fields hold the column
// descriptions in Flight SQL's REMARKS metadata (and "description").
func (v *service) DoGetTables(ctx context.Context, cmd flightsql.GetTables) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	schema := schema_ref.Tables
	if cmd.GetIncludeSchema() {
		schema = schema_ref.TablesWithIncludedSchema
	}
	b := array.NewRecordBuilder(v.mem, schema)
	defer b.Release()
	if catalogMatches(cmd.GetCatalog()) {
		mesh, products := v.visibleProducts(s.user)
		who := policy.PrincipalOf(mesh, s.user)
		types := cmd.GetTableTypes()
		for _, p := range products {
			typ := tableType(p)
			if !likeMatch(cmd.GetDBSchemaFilterPattern(), p.Domain) || !likeMatch(cmd.GetTableNameFilterPattern(), p.TableName()) ||
				len(types) > 0 && !slices.ContainsFunc(types, func(t string) bool { return strings.EqualFold(t, typ) }) {
				continue
			}
			b.Field(0).(*array.StringBuilder).Append(catalogName)
			b.Field(1).(*array.StringBuilder).Append(p.Domain)
			b.Field(2).(*array.StringBuilder).Append(p.TableName())
			b.Field(3).(*array.StringBuilder).Append(typ)
			if cmd.GetIncludeSchema() {
				b.Field(4).(*array.BinaryBuilder).Append(flight.SerializeSchema(productSchema(p, policy.Decide(mesh, who, p)), v.mem))
			}
		}
	}
	return oneBatch(b.NewRecordBatch())
}

func tableType(p *catalog.Product) string {
	if p.Source.Connector == "sql" {
		return tableTypeView
	}
	return tableTypeTable
}

// productSchema is a product's declared columns as Arrow fields, without
// the columns the decision denies.
func productSchema(p *catalog.Product, dec policy.Decision) *arrow.Schema {
	var fields []arrow.Field
	for _, c := range p.Columns {
		if dec.Denied[c.Name] {
			continue
		}
		md := typeMetadata(c.Type).CatalogName(catalogName).SchemaName(p.Domain).TableName(p.TableName())
		if c.Description != "" {
			md.Remarks(c.Description)
		}
		meta := md.Metadata()
		if c.Description != "" {
			meta = arrow.NewMetadata(append(meta.Keys(), "description"), append(meta.Values(), c.Description))
		}
		notNull := c.NotNull()
		fields = append(fields, arrow.Field{Name: c.Name, Type: flightType(c.Type), Nullable: !notNull, Metadata: meta})
	}
	meta := arrow.MetadataFrom(map[string]string{"description": p.Description})
	return arrow.NewSchema(fields, &meta)
}

func (v *service) GetFlightInfoTableTypes(ctx context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return v.metaInfo(desc, schema_ref.TableTypes), nil
}

// DoGetTableTypes lists TABLE (stored products) and VIEW (products
// defined by SQL).
func (v *service) DoGetTableTypes(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(v.mem, schema_ref.TableTypes)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{tableTypeTable, tableTypeView}, nil)
	return oneBatch(b.NewRecordBatch())
}

func (v *service) GetFlightInfoPrimaryKeys(ctx context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return v.metaInfo(desc, schema_ref.PrimaryKeys), nil
}

// DoGetPrimaryKeys lists the columns declared with constraint primary_key
// of a table the user may read (none for other tables).
func (v *service) DoGetPrimaryKeys(ctx context.Context, ref flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	b := array.NewRecordBuilder(v.mem, schema_ref.PrimaryKeys)
	defer b.Release()
	if catalogMatches(ref.Catalog) {
		_, products := v.visibleProducts(s.user)
		for _, p := range products {
			if p.TableName() != ref.Table || ref.DBSchema != nil && *ref.DBSchema != "" && *ref.DBSchema != p.Domain {
				continue
			}
			seq := int32(0)
			for _, c := range p.Columns {
				if !c.PrimaryKey() {
					continue
				}
				seq++
				b.Field(0).(*array.StringBuilder).Append(catalogName)
				b.Field(1).(*array.StringBuilder).Append(p.Domain)
				b.Field(2).(*array.StringBuilder).Append(p.TableName())
				b.Field(3).(*array.StringBuilder).Append(c.Name)
				b.Field(4).(*array.Int32Builder).Append(seq)
				b.Field(5).(*array.StringBuilder).Append(p.TableName() + "_pkey")
			}
		}
	}
	return oneBatch(b.NewRecordBatch())
}

// likeMatch reports whether s matches a SQL LIKE pattern (% any string,
// _ one character, \ escapes); a nil or empty pattern matches everything.
func likeMatch(pattern *string, s string) bool {
	if pattern == nil || *pattern == "" {
		return true
	}
	return like([]rune(*pattern), []rune(s))
}

func like(p, s []rune) bool {
	for len(p) > 0 {
		switch p[0] {
		case '%':
			for len(p) > 0 && p[0] == '%' {
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if like(p, s[i:]) {
					return true
				}
			}
			return false
		case '_':
			if len(s) == 0 {
				return false
			}
		case '\\':
			if len(p) > 1 {
				p = p[1:]
			}
			fallthrough
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return len(s) == 0
}
