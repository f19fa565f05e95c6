# syntax=docker/dockerfile:1
# The SpawnIt web app: the Vite build of packages/web, served by an unprivileged nginx that also proxies
# /graphql (HTTP, SSE and WebSocket) to the backend and serves /config.json from the environment.
# Build from the repository root:
#   docker build --file bootstrap/images/frontend.Dockerfile --tag spawnit/frontend:dev .

FROM node:20.19.5-bookworm-slim AS build
RUN npm install --global pnpm@10.34.8 && npm cache clean --force
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile --filter "@spawnit/web..." \
 && pnpm --filter @spawnit/web run build

FROM nginxinc/nginx-unprivileged:1.29.3-alpine3.22 AS runtime
# The image renders /etc/nginx/templates/*.template with the container's environment at start.
COPY bootstrap/images/frontend.nginx.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/packages/web/dist /usr/share/nginx/html
ENV SPAWNIT_API_UPSTREAM=http://spawnit-backend:4000 \
    SPAWNIT_OIDC_ISSUER=http://localhost:8180/realms/spawnit \
    SPAWNIT_OIDC_CLIENT_ID=spawnit-web
USER 101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --retries=5 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
