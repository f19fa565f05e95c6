#!/bin/bash
# The official mariadb image's health check, for the tests it takes: --connect (the real server, over TCP,
# accepts connections) and --innodb_initialized (InnoDB has started). Exit 0 only when all given ones pass.
set -uo pipefail
query() {
  mariadb --defaults-extra-file=/var/lib/mysql/.my-healthcheck.cnf --connect-timeout=2 -sN -e "$1"
}
[ $# -gt 0 ] || set -- --connect
for test in "$@"; do
  case "$test" in
    --connect) [ "$(query 'SELECT 1')" = 1 ] || exit 1 ;;
    --innodb_initialized)
      [ "$(query "SELECT 1 FROM information_schema.ENGINES WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT')")" = 1 ] || exit 1 ;;
    *) echo "healthcheck.sh: unknown test $test" >&2; exit 2 ;;
  esac
done
