#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds versitygw $VERSITYGW_VERSION (an S3 server, Apache-2.0) from the Go module proxy into
# $SPAWNIT_CACHE/versitygw/<version>/versitygw: the independent S3 server of the tests, posix backend.
# Prints the binary's path on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out="$SPAWNIT_CACHE/versitygw/$VERSITYGW_VERSION"
bin="$out/versitygw"
# The version is read whole before it is matched: `| grep -q` stops reading at the match, the binary then dies of
# SIGPIPE, and under pipefail the check failed now and then, rebuilding a binary that was there.
if [ -x "$bin" ] && [[ "$("$bin" --version 2>/dev/null || true)" == *"v$VERSITYGW_VERSION"* ]]; then
  log "versitygw $VERSITYGW_VERSION: cached at $bin"
  echo "$bin"
  exit 0
fi

start=$SECONDS
log "versitygw $VERSITYGW_VERSION: building from the Go module proxy (a few minutes on 2 cores)"
work="$(mktemp -d "${TMPDIR:-/tmp}/spawnit-versitygw.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# go install writes into GOBIN; a scratch one, so a half-built binary never lands in the cache.
GOBIN="$work" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w -X main.Version=v$VERSITYGW_VERSION" \
  "github.com/versity/versitygw/cmd/versitygw@v$VERSITYGW_VERSION"
mkdir -p "$out"
mv "$work/versitygw" "$bin"
log "versitygw $VERSITYGW_VERSION: built in $((SECONDS - start)) s: $("$bin" --version 2>&1 | head -n 1)"
echo "$bin"
