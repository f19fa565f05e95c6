#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs the database clients the real-stack tests connect with (psql, mariadb, redis-cli), the PostgreSQL
# server the PostgreSQL-mode tests start clusters of (tests/support/postgres.ts), and the tools
# bootstrap/all-deploy.sh uses (curl, file), only when missing.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

missing=()
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v mariadb >/dev/null 2>&1 || missing+=(mariadb-client)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v file >/dev/null 2>&1 || missing+=(file)
if ((${#missing[@]} == 0)); then
  log "clients: psql, mariadb, redis-cli, curl, file and the PostgreSQL server are installed"
  exit 0
fi
log "clients: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
