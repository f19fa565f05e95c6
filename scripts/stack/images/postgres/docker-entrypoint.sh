#!/bin/bash
# Like the official postgres image's entrypoint: on first start, initdb in $PGDATA with POSTGRES_USER as the
# superuser (password POSTGRES_PASSWORD, scram-sha-256 over TCP from anywhere) and POSTGRES_DB; then runs
# postgres as the postgres user, as PID 1.
set -euo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  user="${POSTGRES_USER:-postgres}"
  db="${POSTGRES_DB:-$user}"
  echo "docker-entrypoint.sh: initialising the cluster in $PGDATA"
  initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 -D "$PGDATA"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ "$db" != postgres ]; then
    # A server on the socket only, so nothing outside sees it (nor the health check) before it is ready.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    printf 'CREATE DATABASE :"db";\n' | psql -v ON_ERROR_STOP=1 -v db="$db" -U "$user" -d postgres -q
    pg_ctl -D "$PGDATA" -m fast -w stop
  fi
  echo "docker-entrypoint.sh: cluster ready"
fi

exec "$@"
