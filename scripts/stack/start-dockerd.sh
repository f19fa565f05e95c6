#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Starts the tests' own dockerd in the background, unless it already answers at $SPAWNIT_DOCKER_HOST.
# It has its own socket, data root, exec root, containerd and bridge, and leaves the host's iptables alone,
# so it never touches another dockerd. Published ports go through docker-proxy (so -p 127.0.0.1:X:Y works
# without NAT rules); containers on one network reach each other over their bridge; containers get no
# route out (image builds use --network host).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

bridge="${SPAWNIT_DOCKER_BRIDGE:-spawnit0}"
bridge_ip="${SPAWNIT_DOCKER_BRIDGE_IP:-10.213.0.1/24}"
# The subnets of the networks `docker network create` makes; not overlapping the bridge above.
pool="${SPAWNIT_DOCKER_POOL:-10.213.128.0/17}"
run="$SPAWNIT_DOCKER_RUN"
pidfile="$run/dockerd.pid"
logfile="$run/dockerd.log"

answers() { docker -H "$SPAWNIT_DOCKER_HOST" info >/dev/null 2>&1; }

if answers; then
  log "dockerd already answers at $SPAWNIT_DOCKER_HOST: nothing to do"
  echo "DOCKER_HOST=$SPAWNIT_DOCKER_HOST"
  exit 0
fi
if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  log "dockerd $(cat "$pidfile") runs but does not answer at $SPAWNIT_DOCKER_HOST; see $logfile, or run stop-dockerd.sh"
  exit 1
fi
rm -f "$pidfile"
mkdir -p "$run" "$SPAWNIT_DOCKER_DATA"

# Our own bridge for the default network; dockerd uses it as it finds it. stop-dockerd.sh removes it.
if ! ip link show "$bridge" >/dev/null 2>&1; then
  ip link add "$bridge" type bridge
  ip addr add "$bridge_ip" dev "$bridge"
  log "created bridge $bridge ($bridge_ip)"
fi
ip link set "$bridge" up
echo "$bridge" >"$run/bridge"

# Starts dockerd with the storage driver $1; returns once it answers, or fails when it exits or after 60 s.
start() {
  log "starting dockerd (storage driver $1), log in $logfile"
  setsid dockerd \
    --data-root "$SPAWNIT_DOCKER_DATA" \
    --exec-root "$run/exec" \
    --pidfile "$pidfile" \
    -H "$SPAWNIT_DOCKER_HOST" \
    --storage-driver "$1" \
    --bridge "$bridge" \
    --default-address-pool "base=$pool,size=24" \
    --iptables=false --ip-forward=false --ip-masq=false \
    </dev/null >>"$logfile" 2>&1 &
  local pid=$! i
  for ((i = 0; i < 60; i++)); do
    if answers; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd (storage driver $1) exited; last lines of $logfile:"
      tail -n 5 "$logfile" >&2
      return 1
    fi
    sleep 1
  done
  log "dockerd (storage driver $1) did not answer within 60 s; stopping it"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 1
}

since=$(($(stat -c %s "$logfile" 2>/dev/null || echo 0) + 1))
if ! start overlay2; then
  # Only a failure of overlay2 itself (e.g. a data root on overlayfs) is worth a second try.
  # Not `grep -q`: it would stop reading at the match and, under pipefail, fail the pipeline by SIGPIPE.
  tail -c "+$since" "$logfile" | grep -i overlay >/dev/null || exit 1
  log "overlay2 failed: falling back to vfs (slow, and uses much more disk)"
  start vfs
fi
log "dockerd $(cat "$pidfile") answers ($(docker -H "$SPAWNIT_DOCKER_HOST" info -f '{{.Driver}}') storage)"
echo "DOCKER_HOST=$SPAWNIT_DOCKER_HOST"
