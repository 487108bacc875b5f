#!/bin/bash
# The one-shot `setup` service of docker-compose.yml, run as root in the Elasticsearch image (it has
# elasticsearch-certutil, curl and unzip). Idempotent: a second run keeps the CA and certificates and re-applies
# passwords, roles and users, so changing a secret file and re-running it rotates that password.
#  1. A private CA and the certificates signed by it, once, each into the volume of the only containers that need it:
#     ca-private (the CA key: this container only), ca-cert (the CA certificate: every client),
#     elastic-certs (Elasticsearch's and Kibana's key and certificate), kafka-tls (the broker's PKCS#12 keystore
#     and its password, which the apache/kafka image reads from files).
#  2. When Elasticsearch answers: the kibana_system password, then one role and one user per hangwatch service
#     that reads or writes Elasticsearch (compose/es-roles/hangwatch_<service>.json, user hangwatch-<service>,
#     password from the secret es_<service>_password).
set -euo pipefail
umask 027

certs=config/certs
secrets=/run/secrets
roles=/opt/hangwatch/es-roles
es=https://elasticsearch:9200
public_host=${PUBLIC_HOST:-localhost}
# Every container of the topology runs as uid 1000 (elasticsearch, kibana, kafka's appuser, node).
owner=1000:0

die() {
  echo "setup: $*" >&2
  exit 1
}

# The value of a secret file, without a trailing newline. Only characters that need no quoting in JSON, a JAAS
# line or a curl config are accepted, so nothing below has to escape them (compose/make-secrets.sh writes hex).
read_secret() {
  local file="$secrets/$1" value
  [[ -r $file ]] || die "secret $1 is missing: run compose/make-secrets.sh"
  value=$(tr -d '\r\n' <"$file")
  [[ $value =~ ^[A-Za-z0-9._~-]{16,}$ ]] || die "secret $1 must be at least 16 of A-Z a-z 0-9 . _ ~ -"
  printf '%s' "$value"
}

# Subject names of a certificate: the compose service name, localhost, and the name or address clients outside
# use (HANGWATCH_PUBLIC_HOST), which must be in the certificate for them to verify it.
instance() {
  local name=$1 dns="[$1, localhost]" ip='[127.0.0.1]'
  if [[ $public_host =~ ^[0-9.]+$ || $public_host == *:* ]]; then ip="[127.0.0.1, \"$public_host\"]"; elif [[ $public_host != localhost ]]; then dns="[$1, localhost, $public_host]"; fi
  printf '  - name: %s\n    dns: %s\n    ip: %s\n' "$name" "$dns" "$ip"
}

make_certificates() {
  local work
  work=$(mktemp -d)
  if [[ ! -f $certs/ca-private/ca.key ]]; then
    echo "setup: creating the CA"
    bin/elasticsearch-certutil ca --silent --pem --out "$work/ca.zip"
    unzip -q "$work/ca.zip" -d "$work"
    install -m 0600 "$work/ca/ca.key" "$certs/ca-private/ca.key"
    install -m 0644 "$work/ca/ca.crt" "$certs/ca-private/ca.crt"
  fi
  install -m 0644 -o 1000 -g 0 "$certs/ca-private/ca.crt" "$certs/ca/ca.crt"
  local ca=(--ca-cert "$certs/ca-private/ca.crt" --ca-key "$certs/ca-private/ca.key")

  if [[ ! -f $certs/elastic/kibana/kibana.crt ]]; then
    echo "setup: creating the Elasticsearch and Kibana certificates"
    { echo 'instances:'; instance elasticsearch; instance kibana; } >"$work/elastic.yml"
    bin/elasticsearch-certutil cert --silent --pem --in "$work/elastic.yml" "${ca[@]}" --out "$work/elastic.zip"
    unzip -q -o "$work/elastic.zip" -d "$certs/elastic"
  fi
  mkdir -p "$certs/elastic/ca"
  cp "$certs/ca/ca.crt" "$certs/elastic/ca/ca.crt"

  # Last: the healthcheck waits for kafka.p12, so Elasticsearch and Kafka start only once everything exists.
  if [[ ! -f $certs/kafka/kafka.p12 ]]; then
    echo "setup: creating the Kafka broker keystore"
    local password
    password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
    { echo 'instances:'; instance kafka; } >"$work/kafka.yml"
    bin/elasticsearch-certutil cert --silent --in "$work/kafka.yml" "${ca[@]}" --pass "$password" --out "$work/kafka.zip"
    unzip -q "$work/kafka.zip" -d "$work/kafka"
    printf '%s' "$password" >"$certs/kafka/keystore_password"
    chown "$owner" "$certs/kafka/keystore_password"
    chmod 0400 "$certs/kafka/keystore_password"
    install -m 0400 -o 1000 -g 0 "$work/kafka/kafka/kafka.p12" "$certs/kafka/kafka.p12.tmp"
    mv "$certs/kafka/kafka.p12.tmp" "$certs/kafka/kafka.p12"
  fi
  chown -R "$owner" "$certs/elastic"
  find "$certs/elastic" -type d -exec chmod 0750 {} +
  find "$certs/elastic" -type f -exec chmod 0640 {} +
  rm -rf "$work"
}

# curl against Elasticsearch as the elastic user; the credentials go through a config file, not the command line.
es_request() {
  local method=$1 path=$2 body=${3:-} status
  local args=(-sS -K "$auth" --cacert "$certs/ca/ca.crt" -o "$response" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json')
  [[ -n $body ]] && args+=(--data-binary "@$body")
  status=$(curl "${args[@]}" "$es$path") || die "$method $path: Elasticsearch unreachable"
  [[ $status == 2* ]] || die "$method $path answered $status: $(head -c 500 "$response")"
}

configure_elasticsearch() {
  local elastic_password kibana_password
  elastic_password=$(read_secret elastic_password)
  kibana_password=$(read_secret kibana_system_password)
  auth=$(mktemp)
  response=$(mktemp)
  body=$(mktemp)
  chmod 0600 "$auth" "$body"
  printf 'user = "elastic:%s"\n' "$elastic_password" >"$auth"

  echo "setup: waiting for Elasticsearch"
  until curl -s --cacert "$certs/ca/ca.crt" "$es" | grep -q 'missing authentication credentials'; do sleep 5; done

  printf '{"password":"%s"}' "$kibana_password" >"$body"
  es_request POST /_security/user/kibana_system/_password "$body"
  echo "setup: kibana_system password set"

  local role_file role service password
  for role_file in "$roles"/hangwatch_*.json; do
    role=$(basename "$role_file" .json)
    service=${role#hangwatch_}
    password=$(read_secret "es_${service}_password")
    es_request PUT "/_security/role/$role" "$role_file"
    printf '{"password":"%s","roles":["%s"],"full_name":"hangwatch %s service"}' "$password" "$role" "$service" >"$body"
    es_request PUT "/_security/user/hangwatch-$service" "$body"
    echo "setup: role $role and user hangwatch-$service"
  done
  rm -f "$auth" "$response" "$body"
}

make_certificates
configure_elasticsearch
echo "setup: done"
