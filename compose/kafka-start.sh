#!/bin/bash
# Entry of docker-compose.yml's `kafka` service (apache/kafka image). SCRAM credentials live in the cluster
# metadata, so no client can log in before one exists and nothing can create the first one over the network:
# KRaft writes it when the storage is formatted (kafka-storage format --add-scram). This formats the empty data
# volume once with the hangwatch-admin credential, then hands over to the image's own start script, whose
# format step then finds the storage formatted and goes on. It also passes the keystore password on (below). Later changes of the admin password go through
# kafka-configs.sh as hangwatch-admin (docs/security.md); this file is read at the first start only.
set -euo pipefail

data=${KAFKA_LOG_DIRS:?KAFKA_LOG_DIRS must name the data volume}
if [[ ! -f $data/meta.properties ]]; then
  password=$(tr -d '\r\n' </run/secrets/kafka_admin_password)
  if [[ ! $password =~ ^[A-Za-z0-9._~-]{16,}$ ]]; then
    echo "kafka: the secret kafka_admin_password must be at least 16 of A-Z a-z 0-9 . _ ~ - (compose/make-secrets.sh)" >&2
    exit 1
  fi
  # Only what formatting reads: the node, its roles, the loopback listeners and the data directory.
  properties=$(mktemp)
  cat >"$properties" <<PROPERTIES
process.roles=${KAFKA_PROCESS_ROLES}
node.id=${KAFKA_NODE_ID}
controller.quorum.voters=${KAFKA_CONTROLLER_QUORUM_VOTERS}
controller.listener.names=${KAFKA_CONTROLLER_LISTENER_NAMES}
listeners=CONTROLLER://127.0.0.1:9093,BROKER://127.0.0.1:9091
listener.security.protocol.map=CONTROLLER:PLAINTEXT,BROKER:PLAINTEXT
inter.broker.listener.name=BROKER
log.dirs=${data}
PROPERTIES
  /opt/kafka/bin/kafka-storage.sh format --cluster-id "$CLUSTER_ID" --config "$properties" \
    --add-scram "SCRAM-SHA-512=[name=hangwatch-admin,password=${password}]"
  rm -f "$properties"
fi

# The keystore's password, from the file setup wrote beside the keystore, reaches the broker's configuration
# through this process's environment only (the image turns KAFKA_SSL_* variables into ssl.* properties).
KAFKA_SSL_KEYSTORE_PASSWORD=$(tr -d '\r\n' <"${KAFKA_SSL_KEYSTORE_LOCATION%/*}/keystore_password")
KAFKA_SSL_KEY_PASSWORD=$KAFKA_SSL_KEYSTORE_PASSWORD
export KAFKA_SSL_KEYSTORE_PASSWORD KAFKA_SSL_KEY_PASSWORD
exec /etc/kafka/docker/run "$@"
