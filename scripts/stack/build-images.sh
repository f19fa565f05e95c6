#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds the local images of the tests in the dockerd of start-dockerd.sh: a Debian base image from debootstrap,
# then the service images of $LOCAL_IMAGES from Debian's packages (Dockerfiles in images/<name>/). An image
# whose inputs (its folder, its base image) have not changed is reused.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
export DOCKER_HOST="$SPAWNIT_DOCKER_HOST"
# The classic builder: the Docker CLI may come without buildx.
export DOCKER_BUILDKIT=0

started=$SECONDS
built=() reused=()
mirror=http://deb.debian.org/debian
base="spawnit-local/debian:$DEBIAN_SUITE"
source_url="spawnit:scripts/stack"
label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

# The base image: Debian's minimal root file system, its tarball cached by suite.
if docker image inspect "$base" >/dev/null 2>&1; then
  reused+=("$base")
else
  tarball="$SPAWNIT_CACHE/debian-$DEBIAN_SUITE-minbase.tar"
  if [ ! -s "$tarball" ]; then
    log "debootstrap $DEBIAN_SUITE (minbase) from $mirror"
    mkdir -p "$SPAWNIT_CACHE"
    rootfs="$(mktemp -d "$SPAWNIT_CACHE/rootfs.XXXXXX")"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
      { tail -n 20 "$rootfs.log" >&2; exit 1; }
    rm -f "$rootfs.log"
    # As in Docker's own Debian images: services are not started while packages install, and no apt caches.
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
    chmod +x "$rootfs/usr/sbin/policy-rc.d"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    trap - EXIT
  fi
  log "importing $tarball as $base"
  docker import \
    --change "LABEL org.opencontainers.image.source=$source_url/build-images.sh" \
    --change "LABEL org.opencontainers.image.description=\"debootstrap --variant=minbase $DEBIAN_SUITE $mirror\"" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "$tarball" "$base" >/dev/null
  built+=("$base")
fi
base_id="$(docker image inspect -f '{{.Id}}' "$base")"

# The service images: the label spawnit.inputs records a hash of the image's folder and its base image.
for image in $LOCAL_IMAGES; do
  name="${image%%:*}" dir="$STACK_DIR/images/${image%%:*}" tag="spawnit-local/$image"
  inputs="$({ tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -c .; echo "$base_id"; } |
    sha256sum | cut -c1-16)"
  if [ "$(label "$tag" spawnit.inputs)" = "$inputs" ]; then
    reused+=("$tag")
    continue
  fi
  log "building $tag from $dir"
  docker build --network host --build-arg "BASE=$base" \
    --label "org.opencontainers.image.source=$source_url/images/$name" \
    --label "spawnit.inputs=$inputs" \
    -t "$tag" "$dir" >"$SPAWNIT_CACHE/build-$name.log" 2>&1 ||
    { tail -n 30 "$SPAWNIT_CACHE/build-$name.log" >&2; log "building $tag failed; log in $SPAWNIT_CACHE/build-$name.log"; exit 1; }
  built+=("$tag")
done
# Only after a build of ours: a prune while another build runs deletes its intermediate images.
if [ ${#built[@]} -gt 0 ]; then docker image prune -f >/dev/null; fi

log "built: ${built[*]:-none}"
log "reused: ${reused[*]:-none}"
log "took $((SECONDS - started)) s"
