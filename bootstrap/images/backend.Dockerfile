# syntax=docker/dockerfile:1
# The SpawnIt API: Node 20 runs packages/api/src/main.ts with tsx, next to OpenTofu and the modules and catalog
# it deploys. Build from the repository root:
#   docker build --file bootstrap/images/backend.Dockerfile --tag spawnit/backend:dev .

ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# OpenTofu from its official release, checked against the SHA-256 of the release's signed SHA256SUMS.
# For another version or architecture, pass both: --build-arg TOFU_VERSION=... --build-arg TOFU_SHA256=...
FROM ${NODE_IMAGE} AS tofu
ARG TOFU_VERSION=1.10.6
ARG TOFU_SHA256=15b7bed76420b50da3e121769c43341df8cd57d751ca14e6dbe9c850124c6dac
ARG TARGETARCH=amd64
RUN apt-get update \
 && apt-get install --yes --no-install-recommends ca-certificates curl unzip \
 && rm -rf /var/lib/apt/lists/*
RUN curl --fail --silent --show-error --location --output /tmp/tofu.zip \
      "https://github.com/opentofu/opentofu/releases/download/v${TOFU_VERSION}/tofu_${TOFU_VERSION}_linux_${TARGETARCH}.zip" \
 && echo "${TOFU_SHA256}  /tmp/tofu.zip" | sha256sum --check --strict - \
 && unzip -q /tmp/tofu.zip tofu -d /usr/local/bin \
 && /usr/local/bin/tofu version

# Production dependencies of the API and the workspace packages it uses; pnpm fetch needs only the lockfile,
# so this layer is cached until the lockfile changes.
FROM ${NODE_IMAGE} AS deps
RUN npm install --global pnpm@10.34.8 && npm cache clean --force
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch --prod
COPY . .
RUN pnpm install --offline --frozen-lockfile --prod --filter "@spawnit/api..."

FROM ${NODE_IMAGE} AS runtime
RUN npm install --global tsx@4.23.15 && npm cache clean --force
COPY --from=tofu /usr/local/bin/tofu /usr/local/bin/tofu
WORKDIR /app
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/packages/engine ./packages/engine
COPY --from=deps /app/packages/api ./packages/api
COPY modules ./modules
COPY catalog ./catalog
# Working directories and the provider cache live on a volume owned by the runtime user.
RUN mkdir -p /var/lib/spawnit && chown node:node /var/lib/spawnit
ENV NODE_ENV=production \
    PORT=4000 \
    SPAWNIT_TOFU_BIN=/usr/local/bin/tofu \
    SPAWNIT_MODULES_DIR=/app/modules \
    SPAWNIT_CATALOG_DIR=/app/catalog \
    SPAWNIT_DATA_DIR=/var/lib/spawnit
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["tsx", "packages/api/src/main.ts"]
