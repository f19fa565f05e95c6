#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Deploys SpawnIt on a Docker engine with OpenTofu, one root at a time:
#   images -> volumes -> network -> instances (S3 and Keycloak, then backend and frontend, each waited on by its
#   health check) -> a last check that a user can sign in.
# `all-deploy.sh plan` says whether anything would change; `all-deploy.sh destroy [--volumes]` tears down in reverse.
#
# Environment (all optional):
#   SPAWNIT_TOFU_BIN         the tofu binary that runs the roots (default: tofu on PATH)
#   SPAWNIT_IMAGE_TOFU_BIN   the Linux tofu put in the backend image (default: SPAWNIT_TOFU_BIN's)
#   SPAWNIT_PROVIDER_MIRROR  provider mirror folder for the roots and the backend image (default: built from
#                            the Go module proxy by scripts/stack/build-providers.sh)
#   SPAWNIT_VERSITYGW_BIN    versitygw binary for the S3 image (default: scripts/stack/build-versitygw.sh)
#   SPAWNIT_S3_SERVER        versitygw (default) or minio (then SPAWNIT_MINIO_IMAGE, pinned)
#   SPAWNIT_BASE_IMAGE       Debian trixie image the four images start from (default: debian:13.2-slim)
#   SPAWNIT_BUILD_CA_CERTS   a PEM file of extra certificates the builds trust (a TLS-inspecting proxy's)
#   SPAWNIT_VERSION          tag of the backend and frontend images (default: the current commit)
#   SPAWNIT_SKIP_BUILD=1     use existing images instead of building them
#   SPAWNIT_STATE_DIR        where the states live (default: bootstrap/.state; keep it private, it holds secrets)
#   SPAWNIT_VAR_FILE         a .tfvars(.json) file given to every step (ports, name_prefix, public_host, ...)
#   SPAWNIT_DOCKER_SOCKET    the socket the backend deploys through (default: DOCKER_HOST's, else /var/run/docker.sock)
#   SPAWNIT_READY_TIMEOUT    seconds to wait for sign-in to work once the containers are healthy (default: 120)
#   SPAWNIT_ASSUME_YES=1     destroy without asking
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/.." && pwd)"
steps=(volumes network instances)
# shellcheck source=images/versions.env
. "${here}/images/versions.env"
state_dir="${SPAWNIT_STATE_DIR:-${here}/.state}"
build_dir="${here}/.build"
ready_timeout="${SPAWNIT_READY_TIMEOUT:-120}"
started=${SECONDS}

log() { printf '\n==> %s\n' "$*"; }
fail() {
  printf 'all-deploy.sh: %s\n' "$*" >&2
  exit 1
}
elapsed() { printf '%d s' $((SECONDS - started)); }

usage() {
  cat <<'EOF'
Usage: bootstrap/all-deploy.sh [apply|plan|destroy [--volumes]]
  apply              build the images, then apply volumes, network and instances (default)
  plan               show what an apply would change; exits 0 when nothing would, 2 when something would
  destroy            destroy instances and network, keeping the volumes (the data)
  destroy --volumes  also destroy the volumes: every SpawnIt datum is deleted
EOF
}

require() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is required: $2"
}

find_tofu() {
  local bin="${SPAWNIT_TOFU_BIN:-tofu}"
  command -v "${bin}" >/dev/null 2>&1 ||
    fail "no OpenTofu at ${bin}: install OpenTofu >= 1.9 (https://opentofu.org/docs/intro/install/) or set SPAWNIT_TOFU_BIN."
  [[ "$("${bin}" version 2>/dev/null)" == OpenTofu* ]] ||
    fail "${bin} is not OpenTofu (the backend image runs OpenTofu): set SPAWNIT_TOFU_BIN to a tofu binary."
  command -v "${bin}"
}

# Runs tofu in one step's folder, with the step's own data dir and state file outside the repository.
tf() {
  local step="$1"
  shift
  TF_DATA_DIR="${state_dir}/.terraform/${step}" "${tofu}" -chdir="${here}/${step}" "$@"
}

var_args() {
  if [[ -n "${SPAWNIT_VAR_FILE:-}" ]]; then printf '%s\n' "-var-file=${SPAWNIT_VAR_FILE}"; fi
}

init_step() {
  tf "$1" init -input=false -no-color -backend-config="path=${state_dir}/$1.tfstate" >/dev/null ||
    fail "tofu init failed in bootstrap/$1 (see above)."
}

apply_step() {
  local step="$1" at=${SECONDS} args
  log "apply ${step}"
  init_step "${step}"
  mapfile -t args < <(var_args)
  tf "${step}" apply -input=false -auto-approve -compact-warnings "${args[@]}"
  printf '  %s applied in %d s\n' "${step}" $((SECONDS - at))
}

# Plans one step; returns 0 when nothing would change, 2 when something would.
plan_step() {
  local step="$1" args code=0
  init_step "${step}"
  mapfile -t args < <(var_args)
  tf "${step}" plan -input=false -no-color -detailed-exitcode -compact-warnings "${args[@]}" >"${state_dir}/${step}.plan.txt" || code=$?
  case "${code}" in
    0) printf '  %s: no changes\n' "${step}" ;;
    2)
      printf '  %s: changes:\n' "${step}"
      grep -E '^  # |^Plan:' "${state_dir}/${step}.plan.txt" || true
      ;;
    *)
      cat "${state_dir}/${step}.plan.txt" >&2
      fail "tofu plan failed in bootstrap/${step}."
      ;;
  esac
  return "${code}"
}

destroy_step() {
  local step="$1" args
  if [[ ! -s "${state_dir}/${step}.tfstate" ]]; then
    log "destroy ${step}: nothing deployed"
    return
  fi
  log "destroy ${step}"
  init_step "${step}"
  mapfile -t args < <(var_args)
  tf "${step}" destroy -input=false -auto-approve -compact-warnings "${args[@]}"
}

# The settings every step reads from the environment; the values of the committed tfvars stay defaults.
export_settings() {
  local socket
  if [[ -n "${SPAWNIT_DOCKER_SOCKET:-}" ]]; then
    socket="${SPAWNIT_DOCKER_SOCKET}"
  elif [[ "${DOCKER_HOST:-}" == unix://* ]]; then
    socket="${DOCKER_HOST#unix://}"
  else
    socket=/var/run/docker.sock
  fi
  export TF_VAR_docker_socket="${socket}"
  TF_VAR_docker_socket_gid="$(stat -c '%g' "${socket}" 2>/dev/null || printf '0')"
  export TF_VAR_docker_socket_gid
  export TF_VAR_state_dir="${state_dir}"
  export TF_VAR_spawnit_version="${SPAWNIT_VERSION:-$(git -C "${repo}" rev-parse --short=12 HEAD 2>/dev/null || printf 'dev')}"
  export TF_VAR_keycloak_image="spawnit/keycloak:${KEYCLOAK_VERSION}"
  case "${SPAWNIT_S3_SERVER:-versitygw}" in
    versitygw) s3_image="spawnit/versitygw:${VERSITYGW_VERSION}" ;;
    minio) s3_image="${SPAWNIT_MINIO_IMAGE:-${MINIO_IMAGE}}" ;;
    *) fail "SPAWNIT_S3_SERVER=${SPAWNIT_S3_SERVER} is not a server this deploys: use versitygw or minio." ;;
  esac
  export TF_VAR_s3_server="{\"kind\":\"${SPAWNIT_S3_SERVER:-versitygw}\",\"image\":\"${s3_image}\"}"
}

# OpenTofu takes providers from the mirror alone when there is one: no registry is asked.
use_provider_mirror() {
  if [[ -z "${SPAWNIT_PROVIDER_MIRROR:-}" ]]; then
    SPAWNIT_PROVIDER_MIRROR="$("${repo}/scripts/stack/build-providers.sh")" ||
      fail "building the provider mirror failed (it needs Go and the Go module proxy); set SPAWNIT_PROVIDER_MIRROR to a folder made by 'tofu providers mirror'."
  fi
  [[ -d "${SPAWNIT_PROVIDER_MIRROR}" ]] || fail "SPAWNIT_PROVIDER_MIRROR=${SPAWNIT_PROVIDER_MIRROR} is not a folder."
  SPAWNIT_PROVIDER_MIRROR="$(cd "${SPAWNIT_PROVIDER_MIRROR}" && pwd)"
  mkdir -p "${state_dir}"
  cat >"${state_dir}/tofu.rc" <<EOF
provider_installation {
  filesystem_mirror {
    path = "${SPAWNIT_PROVIDER_MIRROR}"
  }
}
EOF
  export TF_CLI_CONFIG_FILE="${state_dir}/tofu.rc"
}

# Copies what the images take from outside the repository into their build contexts under bootstrap/.build/:
# repo/ (tofu, the provider mirror; read through the repository's context), keycloak/ and s3/.
stage_parts() {
  local image_tofu="${SPAWNIT_IMAGE_TOFU_BIN:-${tofu}}" versitygw="${SPAWNIT_VERSITYGW_BIN:-}" context
  [[ "$(file -L "${image_tofu}" 2>/dev/null)" == *'ELF 64-bit'*x86-64* ]] ||
    fail "${image_tofu} is not a Linux x86-64 binary: set SPAWNIT_IMAGE_TOFU_BIN to the tofu the backend image should run."
  rm -rf "${build_dir}"
  for context in repo keycloak s3; do
    mkdir -p "${build_dir}/${context}/build-ca"
    if [[ -n "${SPAWNIT_BUILD_CA_CERTS:-}" ]]; then
      [[ -s "${SPAWNIT_BUILD_CA_CERTS}" ]] || fail "SPAWNIT_BUILD_CA_CERTS=${SPAWNIT_BUILD_CA_CERTS} is not a PEM file."
      cp -L "${SPAWNIT_BUILD_CA_CERTS}" "${build_dir}/${context}/build-ca/spawnit-build-ca.crt"
    fi
  done
  cp -L "${image_tofu}" "${build_dir}/repo/tofu"
  cp -a "${SPAWNIT_PROVIDER_MIRROR}" "${build_dir}/repo/providers"
  if [[ "${SPAWNIT_S3_SERVER:-versitygw}" == versitygw ]]; then
    if [[ -z "${versitygw}" ]]; then
      versitygw="$("${repo}/scripts/stack/build-versitygw.sh")" ||
        fail "building versitygw failed (it needs Go and the Go module proxy); set SPAWNIT_VERSITYGW_BIN."
    fi
    [[ "$("${versitygw}" --version 2>/dev/null)" == *"v${VERSITYGW_VERSION}"* ]] ||
      fail "${versitygw} is not versitygw ${VERSITYGW_VERSION}: set SPAWNIT_VERSITYGW_BIN to that version."
    cp -L "${versitygw}" "${build_dir}/s3/versitygw"
  fi
}

# One image; the classic builder, on the host's network (the builds install Debian and npm packages).
build_image() {
  local tag="$1" dockerfile="$2" context="$3" at=${SECONDS}
  shift 3
  printf '  building %s\n' "${tag}"
  DOCKER_BUILDKIT=0 docker build --quiet --network host \
    --build-arg "BASE_IMAGE=${SPAWNIT_BASE_IMAGE:-debian:13.2-slim}" "$@" \
    --file "${dockerfile}" --tag "${tag}" "${context}" >"${state_dir}/build.log" 2>&1 || {
    tail -n 40 "${state_dir}/build.log" >&2
    grep -qiE 'certificate (problem|verify)|self[- ]signed certificate|local issuer certificate' "${state_dir}/build.log" &&
      printf 'A certificate was refused: behind a TLS-inspecting proxy, set SPAWNIT_BUILD_CA_CERTS to its CA (PEM).\n' >&2
    fail "building ${tag} failed; the whole log is in ${state_dir}/build.log."
  }
  printf '  built %s in %d s\n' "${tag}" $((SECONDS - at))
}

build_images() {
  if [[ "${SPAWNIT_SKIP_BUILD:-}" == 1 ]]; then
    log "using the existing images (SPAWNIT_SKIP_BUILD=1)"
    return
  fi
  log "build the images"
  stage_parts
  if [[ "${SPAWNIT_S3_SERVER:-versitygw}" == versitygw ]]; then
    build_image "spawnit/versitygw:${VERSITYGW_VERSION}" "${here}/images/s3.Dockerfile" "${build_dir}/s3"
  fi
  build_image "${TF_VAR_keycloak_image}" "${here}/images/keycloak.Dockerfile" "${build_dir}/keycloak" \
    --build-arg "KEYCLOAK_VERSION=${KEYCLOAK_VERSION}" --build-arg "KEYCLOAK_SHA256=${KEYCLOAK_SHA256}"
  local image
  for image in backend frontend; do
    build_image "spawnit/${image}:${TF_VAR_spawnit_version}" "${here}/images/${image}.Dockerfile" "${repo}" \
      --label "org.opencontainers.image.version=${TF_VAR_spawnit_version}" \
      --label "org.opencontainers.image.revision=$(git -C "${repo}" rev-parse HEAD 2>/dev/null || printf 'unknown')"
  done
}

# Polls an HTTP endpoint until it answers 2xx.
wait_http() {
  local what="$1" url="$2" deadline=$((SECONDS + ready_timeout))
  until curl --silent --fail --output /dev/null --max-time 5 "${url}"; do
    ((SECONDS < deadline)) || fail "${what} (${url}) did not answer within ${ready_timeout} s (raise SPAWNIT_READY_TIMEOUT on a slow machine)."
    sleep 1
  done
  printf '  %s answers at %s\n' "${what}" "${url}"
}

# The containers' health checks passed during the apply; sign-in needs the published ports and the realm too.
check_ready() {
  local name status
  for name in $(tf instances output -raw container_list); do
    status="$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "${name}" 2>/dev/null || printf 'missing')"
    if [[ "${status}" != healthy ]]; then
      docker logs --tail 40 "${name}" >&2 || true
      fail "${name} is ${status}; its last logs are above."
    fi
  done
  local frontend keycloak_port
  frontend="$(tf instances output -raw frontend_url)"
  keycloak_port="$(tf instances output -raw keycloak_url | sed -E 's|.*:([0-9]+)$|\1|')"
  wait_http "the backend" "$(tf instances output -raw backend_url)/health"
  wait_http "the web app" "http://127.0.0.1:${frontend##*:}/config.json"
  wait_http "the realm" "http://127.0.0.1:${keycloak_port}/realms/$(tf instances output -json issuer | sed -E 's|.*/realms/([^"]+)".*|\1|')/.well-known/openid-configuration"
}

deploy() {
  require docker "install Docker Engine 20.10 or later and make sure this user can reach its socket."
  require curl "install curl (apt-get install curl)."
  require file "install file (apt-get install file)."
  docker info >/dev/null 2>&1 || fail "cannot reach the Docker engine at ${DOCKER_HOST:-/var/run/docker.sock}: is it running, and may this user use it?"
  [[ -S "${TF_VAR_docker_socket}" ]] || fail "${TF_VAR_docker_socket} is not a socket; set SPAWNIT_DOCKER_SOCKET."

  build_images
  printf '  images ready after %s\n' "$(elapsed)"
  local step
  for step in "${steps[@]}"; do apply_step "${step}"; done
  log "check that a user can sign in"
  check_ready

  log "SpawnIt is up after $(elapsed)"
  printf '  open       %s\n' "$(tf instances output -raw frontend_url)"
  printf '  users      %s\n' "$(tf instances output -json users)"
  printf '  passwords  TF_DATA_DIR=%s %s -chdir=%s output -json default_user_passwords\n' \
    "${state_dir}/.terraform/instances" "${tofu}" "${here}/instances"
}

plan() {
  local step code=0 result
  log "plan (nothing is changed)"
  for step in "${steps[@]}"; do
    result=0
    plan_step "${step}" || result=$?
    ((result == 0)) || code=2
  done
  return "${code}"
}

destroy() {
  local with_volumes="$1" last=0
  if [[ "${SPAWNIT_ASSUME_YES:-}" != 1 ]]; then
    if [[ "${with_volumes}" == 1 ]]; then
      printf 'This deletes SpawnIt and all its data: every configuration and state, the realm and its users.\n'
    else
      printf 'This deletes the SpawnIt containers and network; the volumes (the data) are kept.\n'
    fi
    printf 'Services users deployed keep running: destroy them from SpawnIt first.\n'
    read -r -p 'Type "destroy" to continue: ' answer
    [[ "${answer}" == destroy ]] || fail "cancelled."
  fi
  [[ "${with_volumes}" == 1 ]] || last=1
  local i
  for ((i = ${#steps[@]} - 1; i >= last; i--)); do
    destroy_step "${steps[i]}"
  done
  if [[ "${with_volumes}" == 1 ]]; then
    log "destroyed in $(elapsed), volumes included"
  else
    log "destroyed in $(elapsed); the volumes are kept (destroy --volumes deletes them)"
  fi
}

action="${1:-apply}"
with_volumes=0
case "${action}" in
  -h | --help | help)
    usage
    exit 0
    ;;
  apply | plan)
    [[ $# -le 1 ]] || {
      usage >&2
      exit 2
    }
    ;;
  destroy)
    if [[ "${2:-}" == --volumes ]]; then
      with_volumes=1
    elif [[ -n "${2:-}" ]]; then
      usage >&2
      exit 2
    fi
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
if [[ -n "${SPAWNIT_VAR_FILE:-}" ]]; then
  [[ -f "${SPAWNIT_VAR_FILE}" ]] || fail "SPAWNIT_VAR_FILE=${SPAWNIT_VAR_FILE} is not a file."
  SPAWNIT_VAR_FILE="$(cd "$(dirname "${SPAWNIT_VAR_FILE}")" && pwd)/$(basename "${SPAWNIT_VAR_FILE}")"
fi

tofu="$(find_tofu)"
export TF_IN_AUTOMATION=1
mkdir -p "${state_dir}"
chmod 700 "${state_dir}"
export_settings
use_provider_mirror

case "${action}" in
  apply) deploy ;;
  plan) plan ;;
  destroy) destroy "${with_volumes}" ;;
esac
