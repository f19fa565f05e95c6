#!/bin/bash
# Like the official mariadb image's entrypoint: on first start, initialises /var/lib/mysql, sets the root
# password, creates MARIADB_DATABASE and MARIADB_USER@'%' and the local user of healthcheck.sh; with
# MARIADB_AUTO_UPGRADE, upgrades the data of an older server; then runs mariadbd as the mysql user, as PID 1.
set -euo pipefail
datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock

if [ "${1:0:1}" = '-' ]; then set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ] && [ "$1" != mysqld ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$datadir" /run/mysqld
  chown mysql:mysql "$datadir" /run/mysqld
  exec setpriv --reuid=mysql --regid=mysql --init-groups "$0" "$@"
fi

# SQL string literal and identifier quoting.
sql_string() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }
sql_ident() { local b='`'; printf '%s%s%s' "$b" "${1//$b/$b$b}" "$b"; }
server_version() { mariadbd --version | sed -n 's/.*Ver \([0-9.]*\).*/\1/p'; }

# A server on the socket only, for the setup; the health check (over TCP) fails while it runs.
temp_start() {
  "$@" --skip-networking --socket="$socket" --skip-slave-start &
  temp_pid=$!
  for _ in $(seq 60); do
    if mariadb-admin --socket="$socket" --connect-timeout=1 ping >/dev/null 2>&1; then return 0; fi
    kill -0 "$temp_pid" 2>/dev/null || { echo "docker-entrypoint.sh: the setup server failed" >&2; exit 1; }
    sleep 1
  done
  echo "docker-entrypoint.sh: the setup server did not start within 60 s" >&2
  exit 1
}
temp_stop() { kill "$temp_pid"; wait "$temp_pid" || true; }

if [ ! -d "$datadir/mysql" ]; then
  : "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD must be set}"
  echo "docker-entrypoint.sh: initialising $datadir"
  mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal --skip-test-db \
    --skip-name-resolve --default-time-zone=SYSTEM --skip-log-bin >/dev/null
  temp_start "$@"
  health_password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DROP USER IF EXISTS root@'127.0.0.1', root@'::1', ''@'localhost';"
    echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@', QUOTE(@@hostname), ', ''''@', QUOTE(@@hostname));"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$MARIADB_ROOT_PASSWORD");"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$MARIADB_ROOT_PASSWORD");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    for host in localhost 127.0.0.1 ::1; do
      echo "CREATE USER 'healthcheck'@'$host' IDENTIFIED BY '$health_password';"
    done
    if [ -n "${MARIADB_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_ident "$MARIADB_DATABASE");"
    fi
    if [ -n "${MARIADB_USER:-}" ]; then
      echo "CREATE USER $(sql_string "$MARIADB_USER")@'%' IDENTIFIED BY $(sql_string "${MARIADB_PASSWORD:?MARIADB_PASSWORD must be set}");"
      if [ -n "${MARIADB_DATABASE:-}" ]; then
        echo "GRANT ALL ON $(sql_ident "$MARIADB_DATABASE").* TO $(sql_string "$MARIADB_USER")@'%';"
      fi
    fi
  } | mariadb --socket="$socket" -uroot
  printf '[mariadb-client]\nuser=healthcheck\npassword=%s\nprotocol=tcp\nhost=127.0.0.1\nport=3306\n' \
    "$health_password" >"$datadir/.my-healthcheck.cnf"
  chmod 600 "$datadir/.my-healthcheck.cnf"
  server_version >"$datadir/mariadb_upgrade_info"
  temp_stop
  echo "docker-entrypoint.sh: $datadir ready"
elif [ -n "${MARIADB_AUTO_UPGRADE:-}" ] &&
  [ "$(grep -o '^[0-9.]*' "$datadir/mariadb_upgrade_info" 2>/dev/null || true)" != "$(server_version)" ]; then
  echo "docker-entrypoint.sh: upgrading $datadir to $(server_version)"
  temp_start "$@"
  MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}" mariadb-upgrade --socket="$socket" -uroot --upgrade-system-tables
  server_version >"$datadir/mariadb_upgrade_info"
  temp_stop
fi

exec "$@"
