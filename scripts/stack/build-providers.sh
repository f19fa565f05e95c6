#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds the providers the modules use from the Go module proxy into an OpenTofu filesystem mirror:
#   $SPAWNIT_CACHE/provider-mirror/<host>/<namespace>/<type>/<version>/linux_amd64/terraform-provider-<type>_v<version>
# under both registry.opentofu.org and registry.terraform.io, so OpenTofu and Terraform find the same builds.
# Prints the mirror's path on stdout.
#
# Not built, and why (the README says so too):
#   hashicorp/random, keycloak/keycloak: the Go module proxy serves no usable version of them here;
#   aminueza/minio: AGPL; hashicorp/aws: too large to build on these machines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mirror="$SPAWNIT_CACHE/provider-mirror"
platform="$(go env GOOS)_$(go env GOARCH)"

# build_provider <namespace> <type> <version> <module> <module version>
build_provider() {
  local namespace=$1 type=$2 version=$3 module=$4 module_version=$5
  local name="terraform-provider-${type}_v${version}"
  local primary="$mirror/registry.opentofu.org/$namespace/$type/$version/$platform/$name"
  if [ -x "$primary" ]; then
    log "provider $namespace/$type $version: cached"
  else
    local start=$SECONDS src work
    log "provider $namespace/$type $version: downloading $module@$module_version"
    src="$(GOFLAGS=-mod=mod go mod download -json "$module@$module_version" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src" ] || { log "go mod download gave no folder for $module@$module_version"; return 1; }
    work="$(mktemp -d "${TMPDIR:-/tmp}/spawnit-provider-src.XXXXXX")"
    cp -r "$src/." "$work/"
    chmod -R u+w "$work"
    log "provider $namespace/$type $version: building"
    mkdir -p "$(dirname "$primary")"
    (cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$primary.tmp" .)
    rm -rf "$work"
    mv "$primary.tmp" "$primary"
    log "provider $namespace/$type $version: built in $((SECONDS - start)) s"
  fi
  local alias="$mirror/registry.terraform.io/$namespace/$type/$version/$platform"
  mkdir -p "$alias"
  ln -sf "$primary" "$alias/$name"
}

build_provider kreuzwerker docker "$DOCKER_PROVIDER_VERSION" "$DOCKER_PROVIDER_MODULE" "$DOCKER_PROVIDER_PSEUDO"
echo "$mirror"
