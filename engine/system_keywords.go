package engine

import (
	_ "embed"
	"strings"
)

// pgKeywords is pg_keywords.txt: the keywords of the grammar meshql parses
// with, one "word category label" line each.
//
//go:embed pg_keywords.txt
var pgKeywords string

// keywordsTable is pg_catalog.pg_get_keywords, what the set-returning
// function pg_get_keywords() returns (the binder reads the function in FROM
// as this table).
func keywordsTable() sysTable {
	return sysTable{schema: "pg_catalog", name: "pg_get_keywords", cols: []sysColumn{
		{"word", tText}, {"catcode", tText}, {"barelabel", tBool}, {"catdesc", tText}, {"baredesc", tText},
	}, rows: func(*Session) [][]any {
		catdesc := map[string]string{"U": "unreserved", "C": "unreserved (cannot be function or type name)",
			"T": "reserved (can be function or type name)", "R": "reserved"}
		var out [][]any
		for _, line := range strings.Split(pgKeywords, "\n") {
			f := strings.Fields(line)
			if len(f) != 3 || strings.HasPrefix(line, "#") {
				continue
			}
			bare, baredesc := f[2] == "B", "requires AS"
			if bare {
				baredesc = "can be bare label"
			}
			out = append(out, []any{f[0], f[1], bare, catdesc[f[1]], baredesc})
		}
		return out
	}}
}

// showAllSettingsTable is pg_catalog.pg_show_all_settings, what the
// function PostgreSQL's pg_settings view reads returns (pgAdmin's
// dashboard calls it in FROM): pg_settings' columns and rows.
func showAllSettingsTable(tables []sysTable) []sysTable {
	for _, t := range tables {
		if t.schema == "pg_catalog" && t.name == "pg_settings" {
			t.name = "pg_show_all_settings"
			return []sysTable{t}
		}
	}
	return nil
}
