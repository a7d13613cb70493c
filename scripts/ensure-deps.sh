#!/usr/bin/env bash
# ensure-deps.sh installs what `make test` needs beyond Go: make, a C
# compiler (cgo: pg_query_go, the race detector), PostgreSQL's server
# binaries and psql (internal/pgtest starts throwaway clusters), and the
# real Postgres clients internal/clients drives (pgjdbc with a JDK,
# psqlODBC with unixODBC and pyodbc, psycopg2, SQLAlchemy, pandas, and
# node-postgres from npm).
#
# Idempotent and quiet when everything is present. Installs with apt-get
# only when running as root (CI); otherwise prints what to install and
# exits non-zero. node-postgres goes into MESHQL_NPM_DIR (default
# ~/.cache/meshql/npm), where internal/clients looks for it.
set -euo pipefail

# Debian's python modules live under the system interpreter, not under
# whatever `python3` a developer's PATH (pyenv, venv) resolves to.
py=/usr/bin/python3
npm_dir="${MESHQL_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshql/npm}"

missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
if ! command -v gcc >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
	missing+=(gcc libc6-dev)
fi
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v java >/dev/null 2>&1 || missing+=(default-jdk-headless)
[[ -f /usr/share/java/postgresql.jar ]] || missing+=(libpostgresql-jdbc-java)
compgen -G '/usr/lib/*/odbc/psqlodbcw.so' >/dev/null || missing+=(odbc-postgresql)
command -v odbcinst >/dev/null 2>&1 || missing+=(unixodbc)
pymod() { [[ -x $py ]] && "$py" -c "import $1" >/dev/null 2>&1; }
pymod pyodbc || missing+=(python3-pyodbc)
pymod psycopg2 || missing+=(python3-psycopg2)
pymod psycopg || missing+=(python3-psycopg)
pymod sqlalchemy || missing+=(python3-sqlalchemy)
pymod pandas || missing+=(python3-pandas)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

need_pg_npm=0
[[ -f "$npm_dir/node_modules/pg/package.json" ]] || need_pg_npm=1

if [[ ${#missing[@]} -gt 0 ]]; then
	if [[ "$(id -u)" -ne 0 ]]; then
		echo "ensure-deps: missing ${missing[*]}; install them with:" >&2
		echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}   (or your platform's equivalent)" >&2
		exit 1
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "ensure-deps: missing ${missing[*]} and apt-get is unavailable; install them by hand" >&2
		exit 1
	fi

	echo "ensure-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Tests start their own throwaway clusters: keep the package's default
	# cluster from being started (policy-rc.d exit 101 = "action forbidden").
	added_policy=0
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		added_policy=1
	fi
	trap 'if [[ $added_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT
	# default-jdk-headless' postinstall wants the man folder that slim
	# images delete.
	mkdir -p /usr/share/man/man1
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

	if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || ! command -v psql >/dev/null 2>&1 ||
		! command -v make >/dev/null 2>&1; then
		echo "ensure-deps: still missing dependencies after apt-get install" >&2
		exit 1
	fi
fi

# Outside CI a failed npm install (no network, no npm) only skips the
# node-postgres test; in CI it is an error.
if [[ $need_pg_npm -eq 1 ]]; then
	mkdir -p "$npm_dir"
	[[ -f "$npm_dir/package.json" ]] || echo '{"private": true}' >"$npm_dir/package.json"
	if ! npm install --prefix "$npm_dir" --no-audit --no-fund --silent pg >/dev/null; then
		echo "ensure-deps: npm install pg into $npm_dir failed" >&2
		[[ "${CI:-}" == "true" ]] && exit 1
	fi
fi
