#!/bin/sh
# Renders the site from the container's environment, then runs nginx in the foreground. Only the SPAWNIT_*
# variables are replaced: nginx's own $variables stay as they are.
set -eu
# shellcheck disable=SC2016 # the names are for envsubst, not for this shell
envsubst '${SPAWNIT_API_UPSTREAM} ${SPAWNIT_OIDC_ISSUER} ${SPAWNIT_OIDC_CLIENT_ID}' \
  </etc/nginx/templates/default.conf.template >/etc/nginx/conf.d/default.conf
exec nginx -g 'daemon off;'
