module github.com/jeroenrinzema/psql-wire

go 1.25.0

require github.com/jackc/pgx/v5 v5.4.3
