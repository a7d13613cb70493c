package tpchgen

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Tables lists the TPC-H tables in the order Generate writes them.
func Tables() []string {
	return []string{"region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"}
}

// kind is a column's physical type, shared by its Arrow, Parquet and SQL forms.
type kind int

const (
	kInt32 kind = iota // INTEGER
	kInt64             // BIGINT
	kMoney             // DECIMAL(15,2), held in cents
	kDate              // DATE
	kText              // VARCHAR
)

func (k kind) arrow() arrow.DataType {
	switch k {
	case kInt32:
		return arrow.PrimitiveTypes.Int32
	case kInt64:
		return arrow.PrimitiveTypes.Int64
	case kMoney:
		return &arrow.Decimal128Type{Precision: 15, Scale: 2}
	case kDate:
		return arrow.FixedWidthTypes.Date32
	default:
		return arrow.BinaryTypes.String
	}
}

func (k kind) sql() string {
	return [...]string{"integer", "bigint", "numeric(15,2)", "date", "text"}[k]
}

// column describes one TPC-H column. dict asks for Parquet dictionary
// encoding: worth it only for the few low-cardinality text columns.
type column struct {
	name, desc string
	kind       kind
	dict       bool
	key        bool // the table's primary key (or part of it)
}

// tableSpec is one TPC-H table: its columns in the order the reference
// files (testdata/tpch/sf0.01) have them.
type tableSpec struct {
	name, desc string
	columns    []column
}

// schema is the Arrow schema of the table's files; every field is
// nullable, like the reference files (no TPC-H column holds NULL).
func (t *tableSpec) schema() *arrow.Schema {
	fs := make([]arrow.Field, len(t.columns))
	for i, c := range t.columns {
		fs[i] = arrow.Field{Name: c.name, Type: c.kind.arrow(), Nullable: true}
	}
	return arrow.NewSchema(fs, nil)
}

// specs returns the eight tables, keyed by name. Descriptions follow the
// TPC-H specification (clause 1.4) briefly.
func specs() map[string]*tableSpec {
	return map[string]*tableSpec{
		"region": {name: "region", desc: "The five regions of the world (TPC-H REGION).", columns: []column{
			{name: "r_regionkey", kind: kInt32, key: true, desc: "Region key, 0 to 4."},
			{name: "r_name", kind: kText, dict: true, desc: "Region name, e.g. EUROPE."},
			{name: "r_comment", kind: kText, desc: "Free text."},
		}},
		"nation": {name: "nation", desc: "The 25 nations (TPC-H NATION).", columns: []column{
			{name: "n_nationkey", kind: kInt32, key: true, desc: "Nation key, 0 to 24."},
			{name: "n_name", kind: kText, dict: true, desc: "Nation name, e.g. GERMANY."},
			{name: "n_regionkey", kind: kInt32, desc: "Region of the nation (region.r_regionkey)."},
			{name: "n_comment", kind: kText, desc: "Free text."},
		}},
		"supplier": {name: "supplier", desc: "Suppliers of parts, 10,000 per scale factor (TPC-H SUPPLIER).", columns: []column{
			{name: "s_suppkey", kind: kInt64, key: true, desc: "Supplier key, 1 to 10,000 x SF."},
			{name: "s_name", kind: kText, desc: "Supplier#000000001 and so on: the key in 9 digits."},
			{name: "s_address", kind: kText, desc: "Random address text."},
			{name: "s_nationkey", kind: kInt32, desc: "Nation of the supplier (nation.n_nationkey)."},
			{name: "s_phone", kind: kText, desc: "Phone number; its first two digits are 10 + the nation key."},
			{name: "s_acctbal", kind: kMoney, desc: "Account balance, -999.99 to 9,999.99."},
			{name: "s_comment", kind: kText, desc: "Free text; a few hold 'Customer ... Complaints' or 'Customer ... Recommends'."},
		}},
		"customer": {name: "customer", desc: "Customers, 150,000 per scale factor (TPC-H CUSTOMER).", columns: []column{
			{name: "c_custkey", kind: kInt64, key: true, desc: "Customer key, 1 to 150,000 x SF."},
			{name: "c_name", kind: kText, desc: "Customer#000000001 and so on: the key in 9 digits."},
			{name: "c_address", kind: kText, desc: "Random address text."},
			{name: "c_nationkey", kind: kInt32, desc: "Nation of the customer (nation.n_nationkey)."},
			{name: "c_phone", kind: kText, desc: "Phone number; its first two digits are 10 + the nation key."},
			{name: "c_acctbal", kind: kMoney, desc: "Account balance, -999.99 to 9,999.99."},
			{name: "c_mktsegment", kind: kText, dict: true, desc: "Market segment: AUTOMOBILE, BUILDING, FURNITURE, HOUSEHOLD or MACHINERY."},
			{name: "c_comment", kind: kText, desc: "Free text."},
		}},
		"part": {name: "part", desc: "Parts, 200,000 per scale factor (TPC-H PART).", columns: []column{
			{name: "p_partkey", kind: kInt64, key: true, desc: "Part key, 1 to 200,000 x SF."},
			{name: "p_name", kind: kText, desc: "Five distinct color words, e.g. forest green ...."},
			{name: "p_mfgr", kind: kText, dict: true, desc: "Manufacturer#1 to Manufacturer#5."},
			{name: "p_brand", kind: kText, dict: true, desc: "Brand#MN: M is the manufacturer, N is 1 to 5."},
			{name: "p_type", kind: kText, dict: true, desc: "Type, e.g. 'PROMO BURNISHED COPPER' (150 values)."},
			{name: "p_size", kind: kInt32, desc: "Size, 1 to 50."},
			{name: "p_container", kind: kText, dict: true, desc: "Container, e.g. 'JUMBO PKG' (40 values)."},
			{name: "p_retailprice", kind: kMoney, desc: "Retail price, derived from the part key."},
			{name: "p_comment", kind: kText, desc: "Free text."},
		}},
		"partsupp": {name: "partsupp", desc: "Which supplier offers which part at what cost: 4 suppliers per part (TPC-H PARTSUPP).", columns: []column{
			{name: "ps_partkey", kind: kInt64, key: true, desc: "Part (part.p_partkey)."},
			{name: "ps_suppkey", kind: kInt64, key: true, desc: "Supplier (supplier.s_suppkey)."},
			{name: "ps_availqty", kind: kInt64, desc: "Available quantity, 1 to 9,999."},
			{name: "ps_supplycost", kind: kMoney, desc: "Supply cost, 1.00 to 1,000.00."},
			{name: "ps_comment", kind: kText, desc: "Free text."},
		}},
		"orders": {name: "orders", desc: "Orders, 1,500,000 per scale factor, placed by two customers in three (TPC-H ORDERS).", columns: []column{
			{name: "o_orderkey", kind: kInt64, key: true, desc: "Order key; sparse: 8 of every 32 values are used."},
			{name: "o_custkey", kind: kInt64, desc: "Customer (customer.c_custkey); never a multiple of 3."},
			{name: "o_orderstatus", kind: kText, dict: true, desc: "F if every line has shipped, O if none has, P otherwise."},
			{name: "o_totalprice", kind: kMoney, desc: "Sum of the lines' extended price after discount and tax."},
			{name: "o_orderdate", kind: kDate, desc: "Order date, 1992-01-01 to 1998-08-02."},
			{name: "o_orderpriority", kind: kText, dict: true, desc: "Priority: 1-URGENT, 2-HIGH, 3-MEDIUM, 4-NOT SPECIFIED or 5-LOW."},
			{name: "o_clerk", kind: kText, dict: true, desc: "Clerk#000000001 and so on: 1,000 clerks per scale factor."},
			{name: "o_shippriority", kind: kInt32, desc: "Shipping priority; always 0."},
			{name: "o_comment", kind: kText, desc: "Free text."},
		}},
		"lineitem": {name: "lineitem", desc: "Order lines, 1 to 7 per order, about 6,000,000 per scale factor (TPC-H LINEITEM).", columns: []column{
			{name: "l_orderkey", kind: kInt64, key: true, desc: "Order (orders.o_orderkey)."},
			{name: "l_partkey", kind: kInt64, desc: "Part (part.p_partkey)."},
			{name: "l_suppkey", kind: kInt64, desc: "Supplier (supplier.s_suppkey), one of the part's four suppliers."},
			{name: "l_linenumber", kind: kInt64, key: true, desc: "Line number within the order, 1 to 7."},
			{name: "l_quantity", kind: kMoney, desc: "Quantity, 1 to 50."},
			{name: "l_extendedprice", kind: kMoney, desc: "Quantity times the part's retail price."},
			{name: "l_discount", kind: kMoney, desc: "Discount, 0.00 to 0.10."},
			{name: "l_tax", kind: kMoney, desc: "Tax, 0.00 to 0.08."},
			{name: "l_returnflag", kind: kText, dict: true, desc: "R or A if received by 1995-06-17 (returned or accepted), N otherwise."},
			{name: "l_linestatus", kind: kText, dict: true, desc: "F if shipped by 1995-06-17, O otherwise."},
			{name: "l_shipdate", kind: kDate, desc: "Ship date, 1 to 121 days after the order date."},
			{name: "l_commitdate", kind: kDate, desc: "Committed date, 30 to 90 days after the order date."},
			{name: "l_receiptdate", kind: kDate, desc: "Receipt date, 1 to 30 days after the ship date."},
			{name: "l_shipinstruct", kind: kText, dict: true, desc: "DELIVER IN PERSON, COLLECT COD, NONE or TAKE BACK RETURN."},
			{name: "l_shipmode", kind: kText, dict: true, desc: "REG AIR, AIR, RAIL, SHIP, TRUCK, MAIL or FOB."},
			{name: "l_comment", kind: kText, desc: "Free text."},
		}},
	}
}
