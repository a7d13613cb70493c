package engine

import (
	"slices"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// infoSchemaSpecs are the columns of information_schema's views meshql
// has, as PostgreSQL 15 defines them: every column is of one of the
// schema's domains, i sql_identifier (over name), n cardinal_number (over
// integer), c character_data (over character varying), y yes_or_no (over
// character varying(3)) and t time_stamp (over timestamp with time zone).
// A client sees the base type: PostgreSQL's RowDescription names the
// domain's base type and typmod (column_name is 19, is_nullable 1043 with
// typmod 7), and so does meshql's; information_schema.columns lists the
// domain (domain_name) as PostgreSQL does.
var infoSchemaSpecs = map[string]string{
	"applicable_roles": `grantee:i role_name:i is_grantable:y`,
	"character_sets": `character_set_catalog:i character_set_schema:i character_set_name:i character_repertoire:i form_of_use:i
		default_collate_catalog:i default_collate_schema:i default_collate_name:i`,
	"check_constraints": `constraint_catalog:i constraint_schema:i constraint_name:i check_clause:c`,
	"column_privileges": `grantor:i grantee:i table_catalog:i table_schema:i table_name:i column_name:i privilege_type:c is_grantable:y`,
	"columns": `table_catalog:i table_schema:i table_name:i column_name:i ordinal_position:n column_default:c is_nullable:y
		data_type:c character_maximum_length:n character_octet_length:n numeric_precision:n numeric_precision_radix:n
		numeric_scale:n datetime_precision:n interval_type:c interval_precision:n character_set_catalog:i
		character_set_schema:i character_set_name:i collation_catalog:i collation_schema:i collation_name:i
		domain_catalog:i domain_schema:i domain_name:i udt_catalog:i udt_schema:i udt_name:i scope_catalog:i
		scope_schema:i scope_name:i maximum_cardinality:n dtd_identifier:i is_self_referencing:y is_identity:y
		identity_generation:c identity_start:c identity_increment:c identity_maximum:c identity_minimum:c
		identity_cycle:y is_generated:c generation_expression:c is_updatable:y`,
	"constraint_column_usage": `table_catalog:i table_schema:i table_name:i column_name:i constraint_catalog:i constraint_schema:i
		constraint_name:i`,
	"domains": `domain_catalog:i domain_schema:i domain_name:i data_type:c character_maximum_length:n character_octet_length:n
		character_set_catalog:i character_set_schema:i character_set_name:i collation_catalog:i collation_schema:i
		collation_name:i numeric_precision:n numeric_precision_radix:n numeric_scale:n datetime_precision:n
		interval_type:c interval_precision:n domain_default:c udt_catalog:i udt_schema:i udt_name:i scope_catalog:i
		scope_schema:i scope_name:i maximum_cardinality:n dtd_identifier:i`,
	"element_types": `object_catalog:i object_schema:i object_name:i object_type:c collection_type_identifier:i data_type:c
		character_maximum_length:n character_octet_length:n character_set_catalog:i character_set_schema:i
		character_set_name:i collation_catalog:i collation_schema:i collation_name:i numeric_precision:n
		numeric_precision_radix:n numeric_scale:n datetime_precision:n interval_type:c interval_precision:n
		domain_default:c udt_catalog:i udt_schema:i udt_name:i scope_catalog:i scope_schema:i scope_name:i
		maximum_cardinality:n dtd_identifier:i`,
	"enabled_roles": `role_name:i`,
	"key_column_usage": `constraint_catalog:i constraint_schema:i constraint_name:i table_catalog:i table_schema:i table_name:i
		column_name:i ordinal_position:n position_in_unique_constraint:n`,
	"parameters": `specific_catalog:i specific_schema:i specific_name:i ordinal_position:n parameter_mode:c is_result:y
		as_locator:y parameter_name:i data_type:c character_maximum_length:n character_octet_length:n
		character_set_catalog:i character_set_schema:i character_set_name:i collation_catalog:i collation_schema:i
		collation_name:i numeric_precision:n numeric_precision_radix:n numeric_scale:n datetime_precision:n
		interval_type:c interval_precision:n udt_catalog:i udt_schema:i udt_name:i scope_catalog:i scope_schema:i
		scope_name:i maximum_cardinality:n dtd_identifier:i parameter_default:c`,
	"referential_constraints": `constraint_catalog:i constraint_schema:i constraint_name:i unique_constraint_catalog:i
		unique_constraint_schema:i unique_constraint_name:i match_option:c update_rule:c delete_rule:c`,
	"routine_privileges": `grantor:i grantee:i specific_catalog:i specific_schema:i specific_name:i routine_catalog:i routine_schema:i
		routine_name:i privilege_type:c is_grantable:y`,
	"routines": `specific_catalog:i specific_schema:i specific_name:i routine_catalog:i routine_schema:i routine_name:i
		routine_type:c module_catalog:i module_schema:i module_name:i udt_catalog:i udt_schema:i udt_name:i
		data_type:c character_maximum_length:n character_octet_length:n character_set_catalog:i character_set_schema:i
		character_set_name:i collation_catalog:i collation_schema:i collation_name:i numeric_precision:n
		numeric_precision_radix:n numeric_scale:n datetime_precision:n interval_type:c interval_precision:n
		type_udt_catalog:i type_udt_schema:i type_udt_name:i scope_catalog:i scope_schema:i scope_name:i
		maximum_cardinality:n dtd_identifier:i routine_body:c routine_definition:c external_name:c external_language:c
		parameter_style:c is_deterministic:y sql_data_access:c is_null_call:y sql_path:c schema_level_routine:y
		max_dynamic_result_sets:n is_user_defined_cast:y is_implicitly_invocable:y security_type:c
		to_sql_specific_catalog:i to_sql_specific_schema:i to_sql_specific_name:i as_locator:y created:t
		last_altered:t new_savepoint_level:y is_udt_dependent:y result_cast_from_data_type:c result_cast_as_locator:y
		result_cast_char_max_length:n result_cast_char_octet_length:n result_cast_char_set_catalog:i
		result_cast_char_set_schema:i result_cast_char_set_name:i result_cast_collation_catalog:i
		result_cast_collation_schema:i result_cast_collation_name:i result_cast_numeric_precision:n
		result_cast_numeric_precision_radix:n result_cast_numeric_scale:n result_cast_datetime_precision:n
		result_cast_interval_type:c result_cast_interval_precision:n result_cast_type_udt_catalog:i
		result_cast_type_udt_schema:i result_cast_type_udt_name:i result_cast_scope_catalog:i
		result_cast_scope_schema:i result_cast_scope_name:i result_cast_maximum_cardinality:n
		result_cast_dtd_identifier:i`,
	"schemata": `catalog_name:i schema_name:i schema_owner:i default_character_set_catalog:i default_character_set_schema:i
		default_character_set_name:i sql_path:c`,
	"sequences": `sequence_catalog:i sequence_schema:i sequence_name:i data_type:c numeric_precision:n numeric_precision_radix:n
		numeric_scale:n start_value:c minimum_value:c maximum_value:c increment:c cycle_option:y`,
	"table_constraints": `constraint_catalog:i constraint_schema:i constraint_name:i table_catalog:i table_schema:i table_name:i
		constraint_type:c is_deferrable:y initially_deferred:y enforced:y nulls_distinct:y`,
	"table_privileges": `grantor:i grantee:i table_catalog:i table_schema:i table_name:i privilege_type:c is_grantable:y
		with_hierarchy:y`,
	"tables": `table_catalog:i table_schema:i table_name:i table_type:c self_referencing_column_name:i reference_generation:c
		user_defined_type_catalog:i user_defined_type_schema:i user_defined_type_name:i is_insertable_into:y
		is_typed:y commit_action:c`,
	"triggers": `trigger_catalog:i trigger_schema:i trigger_name:i event_manipulation:c event_object_catalog:i
		event_object_schema:i event_object_table:i action_order:n action_condition:c action_statement:c
		action_orientation:c action_timing:c action_reference_old_table:i action_reference_new_table:i
		action_reference_old_row:i action_reference_new_row:i created:t`,
	"usage_privileges": `grantor:i grantee:i object_catalog:i object_schema:i object_name:i object_type:c privilege_type:c
		is_grantable:y`,
	"view_column_usage": `view_catalog:i view_schema:i view_name:i table_catalog:i table_schema:i table_name:i column_name:i`,
	"view_table_usage":  `view_catalog:i view_schema:i view_name:i table_catalog:i table_schema:i table_name:i`,
	"views": `table_catalog:i table_schema:i table_name:i view_definition:c check_option:c is_updatable:y
		is_insertable_into:y is_trigger_updatable:y is_trigger_deletable:y is_trigger_insertable_into:y`,
}

// infoSchemaDomains names the domains of infoSchemaSpecs by their letter.
var infoSchemaDomains = map[string]string{
	"i": "sql_identifier", "n": "cardinal_number", "c": "character_data", "y": "yes_or_no", "t": "time_stamp",
}

// infoSchemaDomainType is the base type of an information_schema domain.
func infoSchemaDomainType(domain string) sqltypes.Type {
	switch domain {
	case "sql_identifier":
		return sqltypes.TypeName
	case "cardinal_number":
		return sqltypes.TypeInt4
	case "character_data":
		return sqltypes.Type{Kind: sqltypes.Varchar}
	case "yes_or_no":
		return sqltypes.Type{Kind: sqltypes.Varchar, Precision: 3}
	case "time_stamp":
		return sqltypes.TypeTimestampTZ
	}
	return sqltypes.TypeUnknown
}

// infoSchemaCols lists view's columns from its spec.
func infoSchemaCols(view string) []sysColumn {
	var cols []sysColumn
	for _, f := range strings.Fields(infoSchemaSpecs[view]) {
		name, letter, _ := strings.Cut(f, ":")
		cols = append(cols, sysColumn{name, infoSchemaDomainType(infoSchemaDomains[letter])})
	}
	return cols
}

// infoSchemaDomain is the domain of column col of information_schema's
// view, "" if the spec has no such column.
func infoSchemaDomain(view, col string) string {
	for _, f := range strings.Fields(infoSchemaSpecs[view]) {
		if name, letter, _ := strings.Cut(f, ":"); name == col {
			return infoSchemaDomains[letter]
		}
	}
	return ""
}

// withInfoSchemaTypes returns st, a view of information_schema, with its
// columns typed by their domains' base types.
func withInfoSchemaTypes(st sysTable) sysTable {
	if st.schema != "information_schema" {
		return st
	}
	cols := slices.Clone(st.cols)
	for i, c := range cols {
		if d := infoSchemaDomain(st.name, c.name); d != "" {
			cols[i].t = infoSchemaDomainType(d)
		}
	}
	st.cols = cols
	return st
}

// roleTables are information_schema.enabled_roles, the roles whose
// privileges the session has (its user and the roles it is a member of,
// directly or through roles that inherit others), and applicable_roles,
// the memberships of those roles (pg_auth_members' rows whose member is
// one of them), none grantable on.
func roleTables() []sysTable {
	return []sysTable{
		{schema: "information_schema", name: "enabled_roles", cols: infoSchemaCols("enabled_roles"),
			rows: func(s *Session) [][]any {
				var out [][]any
				for _, r := range enabledRoles(s) {
					out = append(out, []any{r})
				}
				return out
			}},
		{schema: "information_schema", name: "applicable_roles", cols: infoSchemaCols("applicable_roles"),
			rows: func(s *Session) [][]any {
				var out [][]any
				for _, m := range roleMemberships(s) {
					if slices.Contains(enabledRoles(s), m[1]) {
						out = append(out, []any{m[1], m[0], "NO"})
					}
				}
				return out
			}},
	}
}

// roleMemberships are the mesh's memberships as pg_auth_members lists
// them: {role, member} for each role a user holds and each role a role
// inherits.
func roleMemberships(s *Session) [][2]string {
	mesh := s.engine.Mesh()
	var out [][2]string
	add := func(of []string, who string) {
		for _, r := range of {
			if r != who { // a user and its role of the same name are one role
				out = append(out, [2]string{r, who})
			}
		}
	}
	for _, u := range mesh.Users {
		add(u.Roles, u.Name)
	}
	for _, r := range mesh.Roles {
		add(r.Inherits, r.Name)
	}
	return out
}

// enabledRoles are the session's user and the roles it is a member of,
// transitively, in the order found.
func enabledRoles(s *Session) []string {
	out := []string{s.User()}
	for i := 0; i < len(out); i++ {
		for _, m := range roleMemberships(s) {
			if m[1] == out[i] && !slices.Contains(out, m[0]) {
				out = append(out, m[0])
			}
		}
	}
	return out
}

// emptyInfoSchemaViews are views of information_schema whose rows are
// about objects meshql's mesh has none of (routines and their parameters,
// triggers, domains, sequences, arrays of those), or that PostgreSQL
// shows only to the owner of the table or view (check constraints, the
// tables and columns a view reads), which no meshql user is: tools read
// them when they browse a schema, and an empty view of PostgreSQL's shape
// is the truthful answer where 42P01 would stop them.
func emptyInfoSchemaViews() []sysTable {
	var out []sysTable
	for _, name := range []string{"check_constraints", "domains", "element_types", "parameters",
		"routines", "sequences", "triggers", "view_column_usage", "view_table_usage"} {
		out = append(out, sysTable{schema: "information_schema", name: name, cols: infoSchemaCols(name),
			rows: func(*Session) [][]any { return nil }})
	}
	return out
}
