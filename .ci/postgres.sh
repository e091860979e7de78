#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the store tests and print the line that points them at it:
#     eval "$(.ci/postgres.sh)"      # exports NARRASCOPE_TEST_POSTGRES_URL
# Installs the Debian package when it is missing (needs root), starts (or reuses) the packaged cluster, and creates
# a `narrascope` role and database. Everything but the final export line goes to stderr.
set -euo pipefail

PORT="${NARRASCOPE_PG_PORT:-5432}"
USER_NAME=narrascope
PASSWORD=narrascope
DB=narrascope

if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "installing postgresql" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

read -r VERSION CLUSTER < <(pg_lsclusters --no-header | awk 'NR==1 {print $1, $2}')
if [ -z "${VERSION:-}" ]; then
    VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
    CLUSTER=main
    pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" >&2
fi
if ! pg_lsclusters --no-header | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
    pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
PORT=$(pg_lsclusters --no-header | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}')

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi; }
for _ in $(seq 30); do
    as_postgres "pg_isready -q -h 127.0.0.1 -p $PORT" && break
    sleep 1
done
as_postgres "psql -q -p $PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$USER_NAME'\"" | grep -q 1 \
    || as_postgres "psql -q -p $PORT -c \"CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD' CREATEDB\"" >&2
as_postgres "psql -q -p $PORT -tAc \"SELECT 1 FROM pg_database WHERE datname='$DB'\"" | grep -q 1 \
    || as_postgres "createdb -p $PORT -O $USER_NAME $DB" >&2

echo "export NARRASCOPE_TEST_POSTGRES_URL=postgresql://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
