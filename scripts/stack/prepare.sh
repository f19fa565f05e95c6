#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Prepares the real stack the tests deploy on, offline, each part cached by version under $SPAWNIT_CACHE:
# OpenTofu, the provider mirror, Docker's engine and its own dockerd, the local images, the database clients.
# Prints the environment the tests read (KEY=VALUE lines) on stdout and keeps it in $SPAWNIT_CACHE/stack.env.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

start=$SECONDS
here="$(dirname "$0")"
tofu="$("$here/build-tofu.sh")"
mirror="$("$here/build-providers.sh")"
versitygw="$("$here/build-versitygw.sh")"
keycloak="$("$here/build-keycloak.sh")"
"$here/install-docker.sh"
"$here/install-clients.sh"
started=0
if ! docker -H "$SPAWNIT_DOCKER_HOST" info >/dev/null 2>&1; then
  "$here/start-dockerd.sh" >/dev/null
  started=1
fi
"$here/build-images.sh" >&2

env_file="$SPAWNIT_CACHE/stack.env"
cat >"$env_file" <<ENV
SPAWNIT_TOFU_BIN=$tofu
SPAWNIT_PROVIDER_MIRROR=$mirror
SPAWNIT_VERSITYGW_BIN=$versitygw
SPAWNIT_KEYCLOAK_HOME=$keycloak
DOCKER_HOST=$SPAWNIT_DOCKER_HOST
SPAWNIT_IMAGE_MAP=$LOCAL_IMAGE_MAP
SPAWNIT_LOCAL_BASE_IMAGE=spawnit-local/debian:$DEBIAN_SUITE
SPAWNIT_STACK_STARTED_DOCKERD=$started
ENV
log "ready in $((SECONDS - start)) s; environment in $env_file"
cat "$env_file"
