package demodata

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Paths of the tables under the data dir; the descriptors in
// testdata/mesh name these folders (source.path: <dir>/*.parquet).
const (
	OrdersDir     = "sales/orders"
	CustomersDir  = "sales/customers"
	ProductsV1Dir = "catalog/products_v1"
	ProductsV2Dir = "catalog/products_v2"
)

// Schemas follow the descriptors: numeric(p,s) is decimal128(p,s), date is
// date32, and columns declared not_null are non-nullable.
var (
	price10x2  = &arrow.Decimal128Type{Precision: 10, Scale: 2}
	amount12x2 = &arrow.Decimal128Type{Precision: 12, Scale: 2}
)

func ordersSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "order_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "customer_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "product_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "order_date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "quantity", Type: arrow.PrimitiveTypes.Int32},
		{Name: "amount", Type: amount12x2},
		{Name: "status", Type: arrow.BinaryTypes.String},
	}, nil)
}

func customersSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "customer_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "segment", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "signup_date", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
}

func productsV2Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "product_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "category", Type: arrow.BinaryTypes.String},
		{Name: "brand", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "price", Type: price10x2},
	}, nil)
}

func productsV1Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "product_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "title", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "category_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "price", Type: price10x2, Nullable: true},
	}, nil)
}

// productsV2 fills catalog.products_v2 from the world's products.
func (w *world) productsV2() func(b *array.RecordBuilder, n int) {
	next := 0
	return func(b *array.RecordBuilder, n int) {
		id := b.Field(0).(*array.Int64Builder)
		name := b.Field(1).(*array.StringBuilder)
		cat := b.Field(2).(*array.StringBuilder)
		brand := b.Field(3).(*array.StringBuilder)
		price := b.Field(4).(*array.Decimal128Builder)
		for range n {
			i := next
			next++
			id.Append(int64(i + 1))
			name.Append(w.prodName[i])
			cat.Append(categories[w.prodCat[i]].name)
			if br := w.prodBrand[i]; br >= 0 {
				brand.Append(brands[br])
			} else {
				brand.AppendNull()
			}
			price.Append(decimal128.FromI64(w.prodPrice[i]))
		}
	}
}

// productsV1 fills catalog.products_v1, the older layout of the products
// that already existed then (the lowest ids).
func (w *world) productsV1() func(b *array.RecordBuilder, n int) {
	next := 0
	return func(b *array.RecordBuilder, n int) {
		id := b.Field(0).(*array.Int64Builder)
		title := b.Field(1).(*array.StringBuilder)
		cat := b.Field(2).(*array.StringBuilder)
		price := b.Field(3).(*array.Decimal128Builder)
		for range n {
			i := next
			next++
			id.Append(int64(i + 1))
			title.Append(w.prodName[i])
			cat.Append(categories[w.prodCat[i]].name)
			price.Append(decimal128.FromI64(w.prodPrice[i]))
		}
	}
}

// customers fills sales.customers_v1 from the world's customers.
func (w *world) customers() func(b *array.RecordBuilder, n int) {
	next := 0
	var email strings.Builder
	return func(b *array.RecordBuilder, n int) {
		id := b.Field(0).(*array.Int64Builder)
		name := b.Field(1).(*array.StringBuilder)
		mail := b.Field(2).(*array.StringBuilder)
		country := b.Field(3).(*array.StringBuilder)
		region := b.Field(4).(*array.StringBuilder)
		segment := b.Field(5).(*array.StringBuilder)
		signup := b.Field(6).(*array.Date32Builder)
		for range n {
			i := next
			next++
			first, last := firstNames[w.custFirst[i]], lastNames[w.custLast[i]]
			id.Append(int64(i + 1))
			name.Append(first + " " + last)
			email.Reset()
			email.WriteString(strings.ToLower(first))
			email.WriteByte('.')
			email.WriteString(strings.ToLower(last))
			email.WriteString(strconv.Itoa(i + 1))
			email.WriteString("@example.com")
			mail.Append(email.String())
			c := countries[w.custCountry[i]]
			country.Append(c.code)
			region.Append(c.region)
			if s := w.custSegment[i]; s >= 0 {
				segment.Append(segments[s].name)
			} else {
				segment.AppendNull()
			}
			signup.Append(arrow.Date32(w.custSignup[i]))
		}
	}
}
