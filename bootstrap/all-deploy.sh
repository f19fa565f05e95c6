#!/usr/bin/env bash
# Deploys SpawnIt on this machine's Docker with OpenTofu, one root at a time:
#   volumes -> network -> instances (waits until every container is healthy) -> configs.
# `all-deploy.sh destroy` tears them down in the reverse order.
#
# Environment:
#   SPAWNIT_TOFU_BIN       the tofu/terraform binary (default: tofu, else terraform, on PATH)
#   SPAWNIT_VERSION        tag of the backend/frontend images (default: the current commit)
#   SPAWNIT_SKIP_BUILD=1   use existing images instead of building them from this repository
#   SPAWNIT_READY_TIMEOUT  seconds to wait for the containers to be ready (default: 300)
#   SPAWNIT_ASSUME_YES=1   destroy without asking
#   SPAWNIT_DOCKER_SOCKET  Docker socket the backend deploys through (default: /var/run/docker.sock)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/.." && pwd)"
steps=(volumes network instances configs)
ready_timeout="${SPAWNIT_READY_TIMEOUT:-300}"
docker_socket="${SPAWNIT_DOCKER_SOCKET:-/var/run/docker.sock}"

log() { printf '\n==> %s\n' "$*"; }
fail() {
  printf 'all-deploy.sh: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
Usage: bootstrap/all-deploy.sh [apply|destroy]
  apply    build the images, then apply volumes, network, instances and configs (default)
  destroy  destroy configs, instances, network and volumes: every SpawnIt datum is deleted
EOF
}

find_tofu() {
  if [[ -n "${SPAWNIT_TOFU_BIN:-}" ]]; then
    command -v "${SPAWNIT_TOFU_BIN}" >/dev/null 2>&1 || fail "SPAWNIT_TOFU_BIN=${SPAWNIT_TOFU_BIN} is not an executable."
    printf '%s\n' "${SPAWNIT_TOFU_BIN}"
  elif command -v tofu >/dev/null 2>&1; then
    printf 'tofu\n'
  elif command -v terraform >/dev/null 2>&1; then
    printf 'terraform\n'
  else
    fail "neither tofu nor terraform is on PATH: install OpenTofu >= 1.9 (https://opentofu.org/docs/intro/install/) or set SPAWNIT_TOFU_BIN."
  fi
}

require() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is required: $2"
}

# Runs tofu in one step's folder.
tf() {
  local step="$1"
  shift
  "${tofu}" -chdir="${here}/${step}" "$@"
}

init_step() {
  tf "$1" init -input=false -upgrade=false >/dev/null
}

apply_step() {
  log "apply ${1}"
  init_step "$1"
  tf "$1" apply -input=false -auto-approve
}

destroy_step() {
  if [[ ! -f "${here}/${1}/terraform.tfstate" ]]; then
    log "destroy ${1}: nothing deployed"
    return
  fi
  log "destroy ${1}"
  init_step "$1"
  tf "$1" destroy -input=false -auto-approve
}

# Polls until every container's own health check reports healthy; a container that turns unhealthy or stops
# ends the wait at once, with its last logs.
wait_healthy() {
  local deadline=$((SECONDS + ready_timeout)) pending=("$@") still status name
  while ((${#pending[@]})); do
    still=()
    for name in "${pending[@]}"; do
      status="$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "${name}" 2>/dev/null || printf 'missing')"
      case "${status}" in
        healthy) printf '  %s is healthy\n' "${name}" ;;
        unhealthy | exited | dead | missing)
          docker logs --tail 40 "${name}" >&2 || true
          fail "${name} is ${status}; its last logs are above."
          ;;
        *) still+=("${name}") ;;
      esac
    done
    pending=("${still[@]+"${still[@]}"}")
    if ((${#pending[@]})); then
      ((SECONDS < deadline)) || fail "not healthy after ${ready_timeout}s: ${pending[*]} (raise SPAWNIT_READY_TIMEOUT on a slow machine)."
      sleep 2
    fi
  done
}

# Polls an HTTP endpoint until it answers 2xx.
wait_http() {
  local url="$1" deadline=$((SECONDS + ready_timeout))
  until curl --silent --fail --output /dev/null --max-time 5 "${url}"; do
    ((SECONDS < deadline)) || fail "${url} did not answer within ${ready_timeout}s."
    sleep 2
  done
  printf '  %s answers\n' "${url}"
}

build_images() {
  if [[ "${SPAWNIT_SKIP_BUILD:-}" == 1 ]]; then
    log "using the existing images spawnit/{backend,frontend}:${TF_VAR_spawnit_version}"
    return
  fi
  local image
  for image in backend frontend; do
    log "build spawnit/${image}:${TF_VAR_spawnit_version}"
    docker build --file "${here}/images/${image}.Dockerfile" --tag "spawnit/${image}:${TF_VAR_spawnit_version}" "${repo}"
  done
}

deploy() {
  require docker "install Docker Engine 24 or later and make sure this user can reach its socket."
  require curl "install curl (apt-get install curl)."
  docker info >/dev/null 2>&1 || fail "cannot reach the Docker engine: is it running, and may this user use it?"
  [[ -S "${docker_socket}" ]] || fail "${docker_socket} is not a socket; set SPAWNIT_DOCKER_SOCKET."

  export TF_VAR_spawnit_version="${SPAWNIT_VERSION:-$(git -C "${repo}" rev-parse --short=12 HEAD 2>/dev/null || printf 'dev')}"
  export TF_VAR_docker_socket="${docker_socket}"
  TF_VAR_docker_socket_gid="$(stat -c '%g' "${docker_socket}")"
  export TF_VAR_docker_socket_gid

  build_images
  apply_step volumes
  apply_step network
  apply_step instances

  log "wait for the containers to be ready"
  local containers
  read -r -a containers <<<"$(tf instances output -raw container_list)"
  wait_healthy "${containers[@]}"
  wait_http "$(tf instances output -raw minio_url)/minio/health/ready"
  wait_http "$(tf instances output -raw keycloak_management_url)/health/ready"

  apply_step configs

  log "SpawnIt is up"
  printf '  open      %s\n' "$(tf instances output -raw frontend_url)"
  printf '  users     %s\n' "$(tf configs output -json users)"
  printf '  passwords %s -chdir=%s output -json default_user_passwords\n' "${tofu}" "${here}/configs"
}

destroy() {
  if [[ "${SPAWNIT_ASSUME_YES:-}" != 1 ]]; then
    printf 'This deletes SpawnIt and all its data: the bucket with every client configuration and state,\n'
    printf 'the realm and its users. Services users deployed keep running: destroy them from SpawnIt first.\n'
    read -r -p 'Type "destroy" to continue: ' answer
    [[ "${answer}" == destroy ]] || fail "cancelled."
  fi
  # The instances root needs its variables to plan a destroy; their values do not matter any more.
  export TF_VAR_spawnit_version="${SPAWNIT_VERSION:-destroy}"
  export TF_VAR_docker_socket_gid="${TF_VAR_docker_socket_gid:-0}"
  local i
  for ((i = ${#steps[@]} - 1; i >= 0; i--)); do
    destroy_step "${steps[i]}"
  done
  log "SpawnIt is gone"
}

action="${1:-apply}"
case "${action}" in
  -h | --help | help)
    usage
    exit 0
    ;;
  apply | destroy) ;;
  *)
    usage >&2
    exit 2
    ;;
esac

tofu="$(find_tofu)"
export TF_IN_AUTOMATION=1
export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-${HOME}/.cache/spawnit/plugins}"
mkdir -p "${TF_PLUGIN_CACHE_DIR}"

if [[ "${action}" == destroy ]]; then destroy; else deploy; fi
