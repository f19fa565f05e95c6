#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stops the dockerd of start-dockerd.sh by its pid file, and removes its run folder and bridge. The data root
# (the image cache) stays.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

run="$SPAWNIT_DOCKER_RUN"
pidfile="$run/dockerd.pid"

if [ -s "$pidfile" ] && pid="$(cat "$pidfile")" && kill -0 "$pid" 2>/dev/null; then
  log "stopping dockerd $pid (SIGTERM; it stops its containers first)"
  kill -TERM "$pid"
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "dockerd $pid still runs after 60 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    # A killed dockerd leaves its own containerd behind.
    cpid="$(cat "$run/exec/containerd/containerd.pid" 2>/dev/null || true)"
    if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then kill -KILL "$cpid" || true; fi
    sleep 1
  fi
  log "dockerd $pid stopped"
else
  log "no dockerd runs from $pidfile"
fi

bridge="$(cat "$run/bridge" 2>/dev/null || true)"
if [ -n "$bridge" ] && ip link show "$bridge" >/dev/null 2>&1; then
  ip link delete "$bridge" && log "removed bridge $bridge"
fi
# Mounts left under the exec root (by a killed dockerd) would make rm fail or reach into them.
if [ -d "$run" ]; then
  { grep -F " $run/" /proc/mounts || true; } | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$run"
  log "removed $run"
fi
