#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds OpenTofu $TOFU_VERSION from the Go module proxy into $SPAWNIT_CACHE/tofu/<version>/tofu.
# `go install` refuses the module (its go.mod has a replace), so: download, copy somewhere writable, build.
# Prints the binary's path on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out="$SPAWNIT_CACHE/tofu/$TOFU_VERSION"
bin="$out/tofu"
if [ -x "$bin" ] && TF_CLI_CONFIG_FILE=/dev/null "$bin" version >/dev/null 2>&1; then
  log "OpenTofu $TOFU_VERSION: cached at $bin"
  echo "$bin"
  exit 0
fi

start=$SECONDS
log "OpenTofu $TOFU_VERSION: downloading from the Go module proxy"
src="$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$src" ] || { log "go mod download gave no folder for opentofu@v$TOFU_VERSION"; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/spawnit-tofu-src.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
log "OpenTofu $TOFU_VERSION: building (a few minutes on 2 cores)"
mkdir -p "$out"
(cd "$work" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
  -o "$bin.tmp" ./cmd/tofu)
mv "$bin.tmp" "$bin"
log "OpenTofu $TOFU_VERSION: built in $((SECONDS - start)) s: $(TF_CLI_CONFIG_FILE=/dev/null "$bin" version | head -n 1)"
echo "$bin"
