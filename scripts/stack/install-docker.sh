#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs Debian's Docker engine and debootstrap, each only when missing.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# command:package pairs; iptables is what dockerd needs even when it does not manage rules itself.
missing=()
for pair in dockerd:docker.io docker:docker.io debootstrap:debootstrap iptables:iptables ip:iproute2; do
  if command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ]; then
    continue
  fi
  [[ " ${missing[*]} " == *" ${pair#*:} "* ]] || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -eq 0 ]; then
  log "docker.io, debootstrap, iptables and iproute2 are installed already: nothing to do"
  exit 0
fi
log "installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed ${missing[*]} ($(dockerd --version))"
