#!/bin/bash
# The one-shot `kafka-setup` service of docker-compose.yml (apache/kafka image): as hangwatch-admin (the super
# user written at the first start by compose/kafka-start.sh), one SCRAM-SHA-512 user per principal of
# compose/kafka-acls.txt with the password of its secret file, then that file's ACLs. Idempotent: users are
# upserted (changing a secret file and re-running rotates that password) and adding an existing ACL is a no-op.
set -euo pipefail
umask 077

bootstrap=${KAFKA_BOOTSTRAP:-kafka:9092}
acls=/opt/hangwatch/kafka-acls.txt
bin=/opt/kafka/bin

die() {
  echo "kafka-setup: $*" >&2
  exit 1
}

# Same rule as compose/setup.sh: characters that need no quoting in a JAAS line or in kafka-configs' syntax.
read_secret() {
  local file="/run/secrets/$1" value
  [[ -r $file ]] || die "secret $1 is missing: run compose/make-secrets.sh"
  value=$(tr -d '\r\n' <"$file")
  [[ $value =~ ^[A-Za-z0-9._~-]{16,}$ ]] || die "secret $1 must be at least 16 of A-Z a-z 0-9 . _ ~ -"
  printf '%s' "$value"
}

admin_password=$(read_secret kafka_admin_password)
admin=$(mktemp)
trap 'rm -f "$admin"' EXIT
cat >"$admin" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="hangwatch-admin" password="${admin_password}";
ssl.truststore.type=PEM
ssl.truststore.location=/certs/ca/ca.crt
PROPERTIES
kafka=(--bootstrap-server "$bootstrap" --command-config "$admin")

echo "kafka-setup: waiting for Kafka at $bootstrap"
until "$bin/kafka-broker-api-versions.sh" "${kafka[@]}" >/dev/null 2>&1; do sleep 5; done

for user in $(awk '!/^#/ && NF { print $1 }' "$acls" | sort -u); do
  password=$(read_secret "kafka_${user#hangwatch-}_password")
  "$bin/kafka-configs.sh" "${kafka[@]}" --alter --entity-type users --entity-name "$user" \
    --add-config "SCRAM-SHA-512=[password=${password}]" >/dev/null
  echo "kafka-setup: SCRAM user $user"
done

# Read on fd 3: the Kafka tools must not consume the table from stdin.
while read -r -u 3 user operation resource name pattern; do
  [[ -z $user || $user == \#* ]] && continue
  if [[ $resource == cluster ]]; then target=(--cluster); else target=("--$resource" "$name"); fi
  "$bin/kafka-acls.sh" "${kafka[@]}" --add --allow-principal "User:$user" --operation "$operation" \
    "${target[@]}" --resource-pattern-type "$pattern" >/dev/null
  echo "kafka-setup: $user $operation $resource $name ($pattern)"
done 3<"$acls"
echo "kafka-setup: done"
