# The SpawnIt web app: the Vite build of packages/web, served by Debian's nginx as an unprivileged user, which
# also proxies /graphql (HTTP, SSE and WebSocket) to the backend and serves /config.json from the environment.
# Build from the repository root:
#   docker build --file bootstrap/images/frontend.Dockerfile --tag spawnit/frontend:dev .

ARG BASE_IMAGE=debian:13.2-slim

# The same first stages as backend.Dockerfile, so Docker builds them once for both images.
FROM ${BASE_IMAGE} AS node
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends ca-certificates nodejs \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

FROM node AS build
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
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile --filter "@spawnit/web..." \
 && pnpm --filter @spawnit/web run build

FROM ${BASE_IMAGE} AS runtime
# nginx-light is gone from Debian; nginx with its default modules. envsubst (gettext-base) renders the template.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends nginx gettext-base curl \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /etc/nginx/sites-enabled/* \
 && useradd --system --uid 10101 --no-create-home spawnit-web \
 && mkdir -p /run/nginx /var/lib/nginx /var/log/nginx \
 && chown -R spawnit-web:spawnit-web /run/nginx /var/lib/nginx /var/log/nginx /etc/nginx/conf.d
COPY bootstrap/images/frontend.nginx.conf /etc/nginx/nginx.conf
COPY bootstrap/images/frontend.nginx.conf.template /etc/nginx/templates/default.conf.template
COPY bootstrap/images/frontend-entrypoint.sh /usr/local/bin/frontend-entrypoint.sh
COPY --from=build /app/packages/web/dist /usr/share/nginx/html
ENV SPAWNIT_API_UPSTREAM=http://spawnit-backend:4000 \
    SPAWNIT_OIDC_ISSUER=http://localhost:8180/realms/spawnit \
    SPAWNIT_OIDC_CLIENT_ID=spawnit-web
USER spawnit-web
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=5s --retries=5 CMD ["curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["frontend-entrypoint.sh"]
