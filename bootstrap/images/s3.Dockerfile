# versitygw (Apache-2.0), an S3 server with a POSIX backend: buckets are folders under /data. all-deploy.sh
# stages the binary in bootstrap/.build/s3/ (built from the Go module proxy by scripts/stack/build-versitygw.sh,
# or SPAWNIT_VERSITYGW_BIN) and builds with that folder as the context:
#   docker build --file bootstrap/images/s3.Dockerfile --tag spawnit/versitygw:1.8.0 bootstrap/.build/s3
# The root credentials come from ROOT_ACCESS_KEY_ID and ROOT_SECRET_ACCESS_KEY at run time.

ARG BASE_IMAGE=debian:13.2-slim

FROM ${BASE_IMAGE} AS tools
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

FROM tools AS runtime
COPY versitygw /usr/local/bin/versitygw
RUN useradd --system --uid 10003 --no-create-home versitygw \
 && mkdir -p /data && chown versitygw:versitygw /data \
 && versitygw --version
USER versitygw
VOLUME /data
EXPOSE 7070
ENV VGW_PORT=:7070 \
    VGW_HEALTH=/health
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=5 \
  CMD ["curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:7070/health"]
ENTRYPOINT ["versitygw"]
CMD ["posix", "/data"]
