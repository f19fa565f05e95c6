#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs Keycloak $KEYCLOAK_VERSION (org.keycloak:keycloak-quarkus-dist:tar.gz from Maven Central, checked
# against its published SHA-1) into $SPAWNIT_CACHE/keycloak/<version>/, then runs `kc.sh build` once, so the
# tests' `kc.sh start --optimized` skips the augmentation (about 40 s here; start-dev redoes it at every start)
# and never writes to the shared folder. Java: $KEYCLOAK_JAVA_HOME, kept in <home>/spawnit.env.
# Prints Keycloak's home folder on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

home="$SPAWNIT_CACHE/keycloak/$KEYCLOAK_VERSION"
java_home="${JAVA_HOME_KEYCLOAK:-$KEYCLOAK_JAVA_HOME}"
[ -x "$java_home/bin/java" ] || {
  log "Keycloak needs Java 21+; no java in $java_home: install Temurin 25 there or set JAVA_HOME_KEYCLOAK."
  exit 1
}
if [ -x "$home/bin/kc.sh" ] && [ -f "$home/spawnit.env" ]; then
  log "Keycloak $KEYCLOAK_VERSION: cached at $home"
  echo "$home"
  exit 0
fi

start=$SECONDS
name="keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
url="https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/$name"
work="$(mktemp -d "${TMPDIR:-/tmp}/spawnit-keycloak.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "Keycloak $KEYCLOAK_VERSION: downloading $url"
curl -fsSL --retry 3 -o "$work/$name" "$url"
sha1="$(curl -fsSL --retry 3 "$url.sha1" | cut -c1-40)"
echo "$sha1  $work/$name" | sha1sum -c --quiet - || {
  log "Keycloak $KEYCLOAK_VERSION: $name does not match its SHA-1 ($sha1) from Maven Central"
  exit 1
}
tar -xzf "$work/$name" -C "$work"
rm -rf "$home"
mkdir -p "$(dirname "$home")"
mv "$work/keycloak-$KEYCLOAK_VERSION" "$home"
log "Keycloak $KEYCLOAK_VERSION: kc.sh build"
# In memory, so each start is a fresh server with no data folder (the realm is created after the start).
JAVA_HOME="$java_home" "$home/bin/kc.sh" build --db=dev-mem --health-enabled=true >&2
# The Java it was built with, for whoever starts it (tests/support/keycloak.ts); written last: the cache mark.
echo "JAVA_HOME=$java_home" >"$home/spawnit.env"
log "Keycloak $KEYCLOAK_VERSION: installed in $((SECONDS - start)) s at $home"
echo "$home"
