# Keycloak from its server distribution on Maven Central (org.keycloak:keycloak-quarkus-dist), on Debian's
# OpenJDK 21, built once for its database and health endpoints so that `start --optimized` skips the build.
#   docker build --file bootstrap/images/keycloak.Dockerfile --tag spawnit/keycloak:26.5.6 bootstrap/.build/keycloak
# (all-deploy.sh stages that context: a build-ca/ folder, empty unless SPAWNIT_BUILD_CA_CERTS is set).
# MAVEN_REPOSITORY may point at a site's own mirror of Maven Central; the SHA-256 is checked either way.

ARG BASE_IMAGE=debian:13.2-slim

FROM ${BASE_IMAGE} AS jre
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends openjdk-21-jre-headless curl \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

FROM jre AS build
# Certificates a site's TLS-inspecting proxy needs (SPAWNIT_BUILD_CA_CERTS); the folder is empty elsewhere.
COPY build-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
ARG KEYCLOAK_VERSION=26.5.6
ARG KEYCLOAK_SHA256=fa3dd5df90b9ac006712c2f0991be4e8a6cb30ac538e0439ce2f45fc40f4c692
ARG MAVEN_REPOSITORY=https://repo1.maven.org/maven2
RUN curl --fail --silent --show-error --location --retry 3 --output /tmp/keycloak.tar.gz \
      "${MAVEN_REPOSITORY}/org/keycloak/keycloak-quarkus-dist/${KEYCLOAK_VERSION}/keycloak-quarkus-dist-${KEYCLOAK_VERSION}.tar.gz" \
 && echo "${KEYCLOAK_SHA256}  /tmp/keycloak.tar.gz" | sha256sum --check --strict - \
 && mkdir -p /opt/keycloak \
 && tar --extract --gzip --file /tmp/keycloak.tar.gz --directory /opt/keycloak --strip-components 1 \
 && rm /tmp/keycloak.tar.gz
# The embedded file database (one instance, its data on a volume) and the management port's /health.
# The folders the runtime user writes (the database, on a volume) and reads (the realm to import).
RUN /opt/keycloak/bin/kc.sh build --db=dev-file --health-enabled=true \
 && mkdir -p /opt/keycloak/data/h2 /opt/keycloak/data/import

FROM jre AS runtime
RUN useradd --system --uid 10002 --no-create-home keycloak
COPY --from=build --chown=keycloak:keycloak /opt/keycloak /opt/keycloak
USER keycloak
# 8080: logins and the admin console; 9000: management (/health/ready).
EXPOSE 8080 9000
HEALTHCHECK --interval=5s --timeout=5s --start-period=120s --retries=5 \
  CMD ["curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:9000/health/ready"]
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CMD ["start", "--optimized"]
