#!/bin/sh
# Like the official redis image's entrypoint: redis-server runs as the redis user, owning /data, as PID 1.
# Unless told otherwise (bind), redis-server listens on all interfaces.
set -eu

# First arg is an option or a config file: run redis-server with it.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

# The official image's redis-server has protected mode off by default; Debian's has it on. The option goes
# right after the config file (or first), so a protected-mode in that file or on the command line still wins.
if [ "$1" = redis-server ]; then
  shift
  if [ -n "${1:-}" ] && [ "${1#-}" = "$1" ]; then
    conf="$1"; shift
    if grep -qiE '^[[:space:]]*protected-mode' "$conf" 2>/dev/null; then
      set -- redis-server "$conf" "$@"
    else
      set -- redis-server "$conf" --protected-mode no "$@"
    fi
  else
    set -- redis-server --protected-mode no "$@"
  fi
fi
exec "$@"
