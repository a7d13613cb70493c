#!/usr/bin/env bash
# ensure-deps.sh installs what `make test` needs beyond Go: make, a C
# compiler (cgo: pg_query_go, the race detector) and PostgreSQL's server
# binaries and psql (internal/pgtest starts throwaway clusters).
#
# Idempotent and quiet when everything is present. Installs with apt-get
# only when running as root (CI); otherwise prints what to install and
# exits non-zero.
set -euo pipefail

missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
if ! command -v gcc >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
	missing+=(gcc libc6-dev)
fi
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)

if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
	echo "ensure-deps: missing ${missing[*]}; install them with:" >&2
	echo "  sudo apt-get install -y ${missing[*]}   (or your platform's equivalent)" >&2
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
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || ! command -v psql >/dev/null 2>&1 ||
	! command -v make >/dev/null 2>&1; then
	echo "ensure-deps: still missing dependencies after apt-get install" >&2
	exit 1
fi
