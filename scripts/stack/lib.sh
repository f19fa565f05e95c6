# Shared settings of the stack scripts: sourced, never run.
# shellcheck source-path=SCRIPTDIR
# shellcheck shell=bash
STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$STACK_DIR/versions.env"
# One cache folder for every slow build, keyed by version inside.
export SPAWNIT_CACHE="${SPAWNIT_CACHE:-$HOME/.cache/spawnit}"
# The Docker engine of the tests: its data (images) is cached, its socket and run state are short-lived.
export SPAWNIT_DOCKER_DATA="${SPAWNIT_DOCKER_DATA:-$SPAWNIT_CACHE/docker-data}"
export SPAWNIT_DOCKER_RUN="${SPAWNIT_DOCKER_RUN:-/tmp/spawnit-docker}"
export SPAWNIT_DOCKER_HOST="unix://$SPAWNIT_DOCKER_RUN/docker.sock"

log() { printf '[stack] %s\n' "$*" >&2; }
