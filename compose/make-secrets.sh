#!/bin/sh
# Creates the secret files docker-compose.yml mounts (./secrets/<name>): 64 random hex digits each, no newline.
# An existing non-empty file is kept, so a re-run only fills gaps; to rotate one, replace its content and re-run
# the setup jobs (docs/security.md). The folder is 0700: the files are 0644 because the containers read them
# under their own uid (file secrets are bind mounts), so the folder is what keeps other host users out.
set -eu
cd "$(dirname "$0")/.."

NAMES='elastic_password kibana_system_password es_indexer_password es_timeline_password
kafka_admin_password kafka_shipper_password kafka_parser_password kafka_correlator_password
kafka_indexer_password kafka_alerter_password kafka_operator_password timeline_token'

mkdir -p secrets
chmod 0700 secrets
for name in $NAMES; do
  file="secrets/$name"
  [ -s "$file" ] && continue
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$file")
  chmod 0644 "$file"
  echo "created $file"
done
