# The SpawnIt API: Node 20 (Debian's nodejs) runs its build (packages/api/dist/main.mjs and the chunks beside
# it, which hold the workspace packages and their dependencies), next to OpenTofu, the provider mirror, and the
# modules and catalog it deploys. all-deploy.sh stages OpenTofu and the mirror in
# bootstrap/.build/repo/ first (see bootstrap/README.md), then builds from the repository root:
#   docker build --file bootstrap/images/backend.Dockerfile --tag spawnit/backend:dev .
# BASE_IMAGE is any Debian trixie image: a site without a registry passes its own (debootstrap + docker import).

ARG BASE_IMAGE=debian:13.2-slim

# Node and pnpm, shared with frontend.Dockerfile: the same instructions, so Docker builds these layers once.
FROM ${BASE_IMAGE} AS node
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends ca-certificates nodejs \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

FROM node AS deps
# Certificates a site's TLS-inspecting proxy needs (SPAWNIT_BUILD_CA_CERTS); the folder is empty elsewhere.
COPY bootstrap/.build/repo/build-ca/ /usr/local/share/ca-certificates/
# CI: pnpm replaces the modules pnpm fetch laid out without asking a terminal.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    CI=true
RUN update-ca-certificates \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends npm \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && npm install --global --no-fund --no-audit pnpm@10.34.8 \
 && npm cache clean --force
WORKDIR /app
# pnpm fetch needs only the lockfile: this layer is cached until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch
COPY . .
# The install builds packages/api/dist (its postinstall runs esbuild).
RUN pnpm install --offline --frozen-lockfile --filter "@spawnit/api..." \
 && test -s packages/api/dist/main.mjs

FROM node AS runtime
RUN useradd --system --uid 10001 --create-home --home-dir /home/spawnit spawnit \
 && mkdir -p /var/lib/spawnit && chown spawnit:spawnit /var/lib/spawnit
COPY bootstrap/.build/repo/tofu /usr/local/bin/tofu
COPY bootstrap/.build/repo/providers /opt/spawnit/providers
WORKDIR /app
COPY --from=deps /app/packages/api/dist ./packages/api/dist
COPY modules ./modules
COPY catalog ./catalog
ENV NODE_ENV=production \
    PORT=4000 \
    SPAWNIT_HOST=0.0.0.0 \
    SPAWNIT_TOFU_BIN=/usr/local/bin/tofu \
    SPAWNIT_PROVIDER_MIRROR=/opt/spawnit/providers \
    SPAWNIT_MODULES_DIR=/app/modules \
    SPAWNIT_CATALOG_DIR=/app/catalog \
    SPAWNIT_DATA_DIR=/var/lib/spawnit
USER spawnit
EXPOSE 4000
HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "packages/api/dist/main.mjs"]
