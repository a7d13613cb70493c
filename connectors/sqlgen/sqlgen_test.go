package sqlgen

import (
	"testing"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

func testGen(noOrder bool) *Gen {
	cols := map[string]sqltypes.Type{"id": sqltypes.TypeInt8, "name": sqltypes.TypeText, `we"ird`: sqltypes.TypeText, "d": sqltypes.TypeDate}
	return &Gen{
		Column: func(n string) (sqltypes.Type, bool, bool) {
			t, ok := cols[n]
			return t, ok, ok && n != "d"
		},
		Value:         func(l connectors.Literal) (string, bool) { return sqltypes.FormatLiteral(l.Type, l.Value), true },
		StringOrder:   ` COLLATE "C"`,
		NoStringOrder: noOrder,
	}
}

func TestFilter(t *testing.T) {
	text := func(s string) connectors.Literal { return connectors.Literal{Type: sqltypes.TypeText, Value: s} }
	i8 := func(v int64) connectors.Literal { return connectors.Literal{Type: sqltypes.TypeInt8, Value: v} }
	i4 := connectors.Literal{Type: sqltypes.TypeInt4, Value: int32(3)}
	for _, tc := range []struct {
		f       connectors.Filter
		noOrder bool
		want    string // "" = not pushed
	}{
		{connectors.Compare{Column: "id", Op: connectors.OpGe, Value: i8(5)}, false, `"id" >= 5`},
		{connectors.Compare{Column: "id", Op: connectors.OpEq, Value: i4}, false, `"id" = 3::integer`},
		{connectors.Compare{Column: "name", Op: connectors.OpLt, Value: text("b")}, false, `"name" < 'b' COLLATE "C"`},
		{connectors.Compare{Column: "name", Op: connectors.OpLt, Value: text("b")}, true, ``},
		{connectors.Compare{Column: "name", Op: connectors.OpEq, Value: text("it's")}, true, `"name" = 'it''s'`},
		{connectors.Compare{Column: `we"ird`, Op: connectors.OpNe, Value: text("x")}, false, `"we""ird" <> 'x'`},
		{connectors.Compare{Column: "name", Op: connectors.OpEq, Value: i8(1)}, false, ``},  // text vs number: meshql's meaning differs
		{connectors.Compare{Column: "d", Op: connectors.OpEq, Value: text("x")}, false, ``}, // not pushable
		{connectors.Compare{Column: "nope", Op: connectors.OpEq, Value: i8(1)}, false, ``},
		{connectors.InList{Column: "id", Values: []connectors.Literal{i8(1), i8(2)}, Negated: true}, false, `"id" NOT IN (1, 2)`},
		{connectors.InList{Column: "id"}, false, ``},
		{connectors.IsNull{Column: "d", Negated: true}, false, `"d" IS NOT NULL`},
		{connectors.Like{Column: "name", Pattern: "a%"}, false, `"name" LIKE 'a%' COLLATE "C"`},
		{connectors.Like{Column: "name", Pattern: "a%", CaseInsensitive: true}, false, ``},
		{connectors.Not{Filter: connectors.Or{Filters: []connectors.Filter{
			connectors.IsNull{Column: "id"},
			connectors.And{Filters: []connectors.Filter{connectors.Compare{Column: "id", Op: connectors.OpLt, Value: i8(0)}}},
		}}}, false, `NOT ((("id" IS NULL) OR ((("id" < 0)))))`},
		{connectors.Or{Filters: []connectors.Filter{connectors.IsNull{Column: "id"}, connectors.Like{Column: "name", Pattern: "x", CaseInsensitive: true}}}, false, ``},
	} {
		got, ok := testGen(tc.noOrder).Filter(tc.f)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("%s (noOrder=%v): got %q, want %q", tc.f, tc.noOrder, got, tc.want)
		}
	}
}

func TestSelect(t *testing.T) {
	g := testGen(false)
	got, ok := g.Select(nil, `"t"`, []connectors.Filter{connectors.IsNull{Column: "id"}}, func() string { return "extra" }, 10)
	if want := `SELECT FROM "t" WHERE "id" IS NULL AND extra LIMIT 10`; !ok || got != want {
		t.Errorf("Select = %q, %v; want %q", got, ok, want)
	}
}
