import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ALERTER_SCHEMA } from '../../../services/alerter/config.js';
import { CORRELATOR_SCHEMA } from '../../../services/correlator/config.js';
import { INDEXER_SCHEMA } from '../../../services/indexer/config.js';
import { PARSER_SCHEMA } from '../../../services/parser/config.js';
import { TOPICS } from '../../../shared/topics.js';

// docker-compose.yml is the production topology and nobody here can run it (no Docker engine), so its security
// rules are checked on the file itself: loopback-only published ports unless the operator opts out, secrets only
// from files, Elasticsearch with security and TLS from certificates made by the setup job, Kafka with
// SASL/SCRAM-SHA-512 and an ACL per service on the topics of shared/topics.ts, every service with its own
// credentials, and the timeline service behind its token.

interface LongPort {
  host_ip?: string;
  published?: string | number;
  target?: number;
}

interface ComposeService {
  image?: string;
  command?: string[];
  user?: string;
  environment?: Record<string, unknown>;
  ports?: Array<string | LongPort>;
  secrets?: Array<string | { source: string }>;
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  network_mode?: string;
  networks?: string[] | Record<string, unknown>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string; environment?: string; content?: string }>;
  networks?: Record<string, { internal?: boolean } | null>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as ComposeFile;
const services = compose.services;

function service(name: string): ComposeService {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has a ${name} service`);
  return found;
}

function env(svc: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

function secretsOf(svc: ComposeService): string[] {
  return (svc.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
}

function dependsOn(svc: ComposeService): Record<string, string> {
  const d = svc.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, 'service_started'])) : Object.fromEntries(Object.entries(d).map(([n, c]) => [n, c.condition ?? 'service_started']));
}

/** `volume:/path[:ro]` entries as { source, target, readOnly }. */
function volumesOf(svc: ComposeService): Array<{ source: string; target: string; readOnly: boolean }> {
  return (svc.volumes ?? []).map((v) => {
    const [source = '', target = '', mode] = v.split(':');
    return { source, target, readOnly: mode === 'ro' };
  });
}

/** Hangwatch services run by `hangwatch service <name>`: compose service name -> service. */
const hangwatchServices = Object.fromEntries(
  Object.entries(services).filter(([, s]) => s.image === 'hangwatch:latest' && s.command?.[0] === 'service').map(([name, s]) => [name, s.command![1]!]),
);

// --- Published ports ------------------------------------------------------------------------------------------

/** The host address of a published port: a literal, or a Compose variable with its default. */
const LOOPBACK_BIND = /^(?:127\.0\.0\.1|\$\{[A-Z][A-Z0-9_]*:-127\.0\.0\.1\})$/;

function hostAddressOf(port: string | LongPort): string | undefined {
  if (typeof port !== 'string') return port.host_ip;
  // host:published:target[/proto]; the host part may be a ${VAR:-default} interpolation holding no colon of its own.
  const match = /^(\$\{[^}]*\}|[^:]+):(\d+(?:-\d+)?):(\d+(?:-\d+)?)(?:\/(?:tcp|udp))?$/.exec(port);
  return match ? match[1] : undefined;
}

test('every published port is bound to 127.0.0.1 unless the operator opts out', () => {
  let published = 0;
  for (const [name, svc] of Object.entries(services)) {
    assert.notEqual(svc.network_mode, 'host', `${name}: host networking publishes every port on every address`);
    for (const port of svc.ports ?? []) {
      published++;
      const host = hostAddressOf(port);
      assert.ok(host !== undefined, `${name}: port ${JSON.stringify(port)} names no host address, so Docker binds it on every address`);
      assert.match(host, LOOPBACK_BIND, `${name}: port ${JSON.stringify(port)} must bind 127.0.0.1 or \${VAR:-127.0.0.1}`);
    }
  }
  assert.ok(published >= 4, 'Elasticsearch, Kibana, Kafka (for the shippers) and the timeline service are published');
  for (const unpublished of ['parser', 'correlator', 'indexer', 'alerter', 'setup', 'kafka-setup', 'kafka-topics', 'kibana-setup']) {
    assert.equal(service(unpublished).ports, undefined, `${unpublished} publishes nothing`);
  }
});

test('the port rule refuses what would open a port to the network', () => {
  for (const bad of ['9200:9200', '9200', '0.0.0.0:9200:9200', '${HANGWATCH_BIND}:9200:9200', '${HANGWATCH_BIND:-0.0.0.0}:9200:9200', '${HANGWATCH_BIND-127.0.0.1}:9200:9200']) {
    const host = hostAddressOf(bad);
    assert.ok(host === undefined || !LOOPBACK_BIND.test(host), bad);
  }
  for (const good of ['127.0.0.1:9200:9200', '${HANGWATCH_BIND_ELASTICSEARCH:-127.0.0.1}:9200:9200', '127.0.0.1:8790:8790/tcp']) {
    assert.match(hostAddressOf(good) ?? '', LOOPBACK_BIND, good);
  }
  assert.equal(hostAddressOf({ target: 9200, published: 9200 }), undefined);
});

// --- Secrets --------------------------------------------------------------------------------------------------

const CREDENTIAL_NAME = /(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|CREDENTIALS?)$/i;

test('secrets come from files, never from the compose file itself', () => {
  const declared = compose.secrets ?? {};
  assert.ok(Object.keys(declared).length >= 10);
  for (const [name, spec] of Object.entries(declared)) {
    assert.equal(spec.file, `./secrets/${name}`, `secret ${name} is the file ./secrets/${name}`);
    assert.equal(spec.environment, undefined, `secret ${name} does not come from a variable`);
    assert.equal(spec.content, undefined, `secret ${name} is not written in the compose file`);
  }
  for (const [name, svc] of Object.entries(services)) {
    const vars = env(svc);
    for (const [key, value] of Object.entries(vars)) {
      assert.ok(!CREDENTIAL_NAME.test(key), `${name}: ${key} would hold a credential in the compose file; use ${key}_FILE and a secret`);
      assert.doesNotMatch(value, /:\/\/[^/\s@]+:[^/\s@]+@/, `${name}: ${key} carries credentials in a URL`);
      const file = /^\/run\/secrets\/(.+)$/.exec(value);
      if (key.endsWith('_FILE') && file) assert.ok(secretsOf(svc).includes(file[1]!), `${name}: ${key} reads secret ${file[1]} that the service does not mount`);
    }
    for (const secret of secretsOf(svc)) assert.ok(secret in declared, `${name} mounts undeclared secret ${secret}`);
    for (const arg of svc.command ?? []) {
      for (const secret of arg.matchAll(/\/run\/secrets\/([a-z0-9_]+)/g)) assert.ok(secretsOf(svc).includes(secret[1]!), `${name}: its command reads secret ${secret[1]} that it does not mount`);
      assert.doesNotMatch(arg, /^--(?:password|token|api-key)$/, `${name}: a secret given as a command-line argument`);
    }
  }
});

test('compose/make-secrets.sh creates every secret file, and none is committed', () => {
  const script = readFileSync('compose/make-secrets.sh', 'utf8');
  const names = /^NAMES='([^']*)'/m.exec(script)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
  assert.deepEqual([...names].sort(), Object.keys(compose.secrets ?? {}).sort());
  assert.match(script, /\/dev\/urandom/);
  assert.deepEqual(readFileSync('secrets/.gitignore', 'utf8').split('\n').filter((l) => l && !l.startsWith('#')), ['*', '!.gitignore']);
  // The hangwatch image is built with `COPY . .`: the secret files must stay out of its build context.
  assert.ok(readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).includes('secrets'), '.dockerignore excludes secrets/');
});

// --- Elasticsearch and Kibana ---------------------------------------------------------------------------------

test('Elasticsearch runs with security on and TLS on HTTP and transport', () => {
  const es = service('elasticsearch');
  const vars = env(es);
  assert.equal(vars['xpack.security.enabled'], 'true');
  for (const layer of ['http', 'transport']) {
    assert.equal(vars[`xpack.security.${layer}.ssl.enabled`], 'true', `${layer} TLS`);
    assert.match(vars[`xpack.security.${layer}.ssl.key`] ?? '', /^certs\/elasticsearch\/elasticsearch\.key$/);
    assert.match(vars[`xpack.security.${layer}.ssl.certificate`] ?? '', /^certs\/elasticsearch\/elasticsearch\.crt$/);
    assert.equal(vars[`xpack.security.${layer}.ssl.certificate_authorities`], 'certs/ca/ca.crt');
  }
  assert.notEqual(vars['xpack.security.transport.ssl.verification_mode'], 'none');
  assert.equal(vars.ELASTIC_PASSWORD_FILE, '/run/secrets/elastic_password');
  assert.ok(volumesOf(es).some((v) => v.source === 'elastic-certs' && v.target === '/usr/share/elasticsearch/config/certs' && v.readOnly));
});

test('the certificates come from the one-shot setup service with elasticsearch-certutil, which also sets the kibana_system password', () => {
  const setup = service('setup');
  const es = service('elasticsearch');
  assert.equal(setup.image, es.image, 'setup runs in the Elasticsearch image (elasticsearch-certutil)');
  assert.equal(setup.user, '0');
  assert.equal(dependsOn(es).setup, 'service_healthy', 'Elasticsearch starts once the certificates exist');
  assert.ok(setup.healthcheck?.test?.length, 'setup says when the certificates exist');
  assert.equal(service('setup').ports, undefined);
  const mounted = volumesOf(setup);
  const script = mounted.find((v) => v.target === '/opt/hangwatch/setup.sh');
  assert.ok(script && script.source === './compose/setup.sh' && script.readOnly);
  assert.deepEqual(setup.command, ['bash', '/opt/hangwatch/setup.sh']);
  for (const volume of ['ca-private', 'ca-cert', 'elastic-certs', 'kafka-tls']) assert.ok(mounted.some((v) => v.source === volume && !v.readOnly), `setup writes ${volume}`);
  // The CA key stays with setup: no other container mounts its volume.
  for (const [name, svc] of Object.entries(services)) if (name !== 'setup') assert.ok(!volumesOf(svc).some((v) => v.source === 'ca-private'), `${name} must not see the CA key`);

  const text = readFileSync('compose/setup.sh', 'utf8');
  assert.match(text, /elasticsearch-certutil ca --silent --pem/);
  assert.match(text, /elasticsearch-certutil cert --silent --pem --in "\$work\/elastic\.yml"/);
  assert.match(text, /elasticsearch-certutil cert --silent --in "\$work\/kafka\.yml"/);
  for (const instance of ['elasticsearch', 'kibana', 'kafka']) assert.match(text, new RegExp(`instance ${instance}\\b`));
  assert.match(text, /\/_security\/user\/kibana_system\/_password/);
  assert.ok(secretsOf(setup).includes('elastic_password') && secretsOf(setup).includes('kibana_system_password'));
});

test('Kibana talks TLS to Elasticsearch as kibana_system, serves TLS, and its password comes from a file', () => {
  const kibana = service('kibana');
  const vars = env(kibana);
  assert.match(vars.ELASTICSEARCH_HOSTS ?? '', /^https:\/\//);
  assert.equal(vars.ELASTICSEARCH_USERNAME, 'kibana_system');
  assert.ok(vars.ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES);
  assert.equal(vars.SERVER_SSL_ENABLED, 'true');
  assert.ok(secretsOf(kibana).includes('kibana_system_password'));
  assert.match((kibana.command ?? []).join(' '), /ELASTICSEARCH_PASSWORD="\$\$\(cat \/run\/secrets\/kibana_system_password\)"/);
  const importer = service('kibana-setup');
  assert.match((importer.command ?? []).join(' '), /--url https:\/\/kibana:5601 .*--password-file \/run\/secrets\/elastic_password/);
});

/** Hangwatch services that reach Elasticsearch, by the service each runs. */
const ES_SERVICES = ['indexer', 'timeline'];

test('every service that reads or writes Elasticsearch does it over TLS as its own user with a role of its own', () => {
  const setup = service('setup');
  for (const [name, svc] of Object.entries(services)) {
    const vars = env(svc);
    if (vars.HANGWATCH_ES_URL === undefined) continue;
    assert.ok(ES_SERVICES.includes(hangwatchServices[name] ?? ''), `${name} has no reason to reach Elasticsearch`);
  }
  for (const target of ES_SERVICES) {
    const [name, svc] = Object.entries(services).find(([n]) => hangwatchServices[n] === target) ?? [];
    assert.ok(name && svc, `the ${target} service runs`);
    const vars = env(svc);
    assert.equal(vars.HANGWATCH_ES_URL, 'https://elasticsearch:9200');
    assert.equal(vars.HANGWATCH_ES_CA_FILE, '/certs/ca/ca.crt');
    assert.ok(volumesOf(svc).some((v) => v.source === 'ca-cert' && v.target === '/certs/ca' && v.readOnly));
    const byKey = vars.HANGWATCH_ES_API_KEY_FILE !== undefined;
    if (!byKey) {
      assert.equal(vars.HANGWATCH_ES_USERNAME, `hangwatch-${target}`);
      assert.equal(vars.HANGWATCH_ES_PASSWORD_FILE, `/run/secrets/es_${target}_password`);
      assert.ok(secretsOf(setup).includes(`es_${target}_password`), `setup creates the user hangwatch-${target}`);
      assert.ok(existsSync(`compose/es-roles/hangwatch_${target}.json`), `role hangwatch_${target}`);
    }
    assert.equal(dependsOn(svc).setup, 'service_completed_successfully', `${name} starts once its user exists`);
  }
  const timelineRole = JSON.parse(readFileSync('compose/es-roles/hangwatch_timeline.json', 'utf8')) as { indices: Array<{ privileges: string[] }> };
  for (const grant of timelineRole.indices) assert.deepEqual(grant.privileges.filter((p) => !['read', 'view_index_metadata'].includes(p)), [], 'the timeline only reads');
});

// --- Kafka ----------------------------------------------------------------------------------------------------

function listenerTable(vars: Record<string, string>): Array<{ name: string; host: string; port: number; protocol: string }> {
  const protocols = new Map((vars.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '').split(',').map((p) => p.split(':') as [string, string]));
  return (vars.KAFKA_LISTENERS ?? '').split(',').map((l) => {
    const m = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(l.trim());
    assert.ok(m, `listener ${l}`);
    return { name: m[1]!, host: m[2]!, port: Number(m[3]), protocol: protocols.get(m[1]!) ?? 'unmapped' };
  });
}

function isInternalOnly(svc: ComposeService): boolean {
  const joined = svc.networks === undefined ? ['default'] : Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks);
  return joined.every((n) => compose.networks?.[n]?.internal === true);
}

test('Kafka accepts clients only with SASL/SCRAM-SHA-512, over TLS unless on an internal network', () => {
  const kafka = service('kafka');
  const vars = env(kafka);
  const listeners = listenerTable(vars);
  const publishedTargets = new Set((kafka.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').pop()!.split('/')[0]) : Number(p.target))));
  assert.ok(listeners.some((l) => l.protocol === 'SASL_SSL'), 'a SASL_SSL listener');
  for (const l of listeners) {
    if (l.protocol === 'SASL_SSL') continue;
    if (l.protocol === 'SASL_PLAINTEXT') {
      assert.ok(!publishedTargets.has(l.port) && isInternalOnly(kafka), `${l.name}: SASL_PLAINTEXT only on an internal network, never published`);
      continue;
    }
    // Anything without SASL is the node talking to itself: loopback inside the container, never published.
    assert.equal(l.host, '127.0.0.1', `${l.name} (${l.protocol}) must listen on the container's loopback only`);
    assert.ok(!publishedTargets.has(l.port), `${l.name} must not be published`);
  }
  for (const port of publishedTargets) assert.equal(listeners.find((l) => l.port === port)?.protocol, 'SASL_SSL', `published port ${port} is SASL_SSL`);
  assert.equal(vars.KAFKA_SASL_ENABLED_MECHANISMS, 'SCRAM-SHA-512');
  assert.match(vars.KAFKA_OPTS ?? '', /java\.security\.auth\.login\.config=\/opt\/hangwatch\/kafka-server-jaas\.conf/);
  assert.match(readFileSync('compose/kafka-server-jaas.conf', 'utf8'), /KafkaServer \{\s*org\.apache\.kafka\.common\.security\.scram\.ScramLoginModule required;\s*\};/);
  assert.equal(vars.KAFKA_SSL_CLIENT_AUTH, 'none');
  assert.ok(vars.KAFKA_SSL_KEYSTORE_LOCATION?.startsWith('/etc/kafka/secrets/'));
  assert.ok(volumesOf(kafka).some((v) => v.source === 'kafka-tls' && v.target === '/etc/kafka/secrets' && v.readOnly));
  // The listeners clients are told about are the SASL_SSL ones.
  for (const advertised of (vars.KAFKA_ADVERTISED_LISTENERS ?? '').split(',')) {
    const name = advertised.split('://')[0]!;
    const l = listeners.find((x) => x.name === name);
    assert.ok(l, `advertised ${name} is a listener`);
    if (l.protocol !== 'SASL_SSL') assert.match(advertised, /:\/\/127\.0\.0\.1:/, `${name} is advertised on loopback only`);
  }
  assert.equal(listeners.find((l) => l.name === vars.KAFKA_INTER_BROKER_LISTENER_NAME)?.host, '127.0.0.1');
  assert.equal(listeners.find((l) => l.name === vars.KAFKA_CONTROLLER_LISTENER_NAMES)?.host, '127.0.0.1');
});

test('Kafka authorizes every request: StandardAuthorizer, no access without an ACL, one super user for the setup jobs', () => {
  const kafka = service('kafka');
  const vars = env(kafka);
  assert.equal(vars.KAFKA_AUTHORIZER_CLASS_NAME, 'org.apache.kafka.metadata.authorizer.StandardAuthorizer');
  assert.equal(vars.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND, 'false');
  const supers = (vars.KAFKA_SUPER_USERS ?? '').split(';').filter(Boolean);
  assert.ok(supers.includes('User:hangwatch-admin'));
  // ANONYMOUS is the principal of plaintext listeners; the listener test above keeps those on loopback.
  assert.deepEqual(supers.filter((u) => u !== 'User:hangwatch-admin' && u !== 'User:ANONYMOUS'), []);
  // The super user's SCRAM credential is written when the storage is formatted, from its secret file.
  assert.deepEqual(kafka.command, ['/bin/bash', '/opt/hangwatch/kafka-start.sh']);
  assert.ok(secretsOf(kafka).includes('kafka_admin_password'));
  const start = readFileSync('compose/kafka-start.sh', 'utf8');
  assert.match(start, /kafka-storage\.sh format .*\n?.*--add-scram "SCRAM-SHA-512=\[name=hangwatch-admin,password=\$\{password\}\]"/);
  assert.match(start, /<\/run\/secrets\/kafka_admin_password/);
  // The setup jobs are the only super user clients.
  for (const [name, svc] of Object.entries(services)) {
    const user = env(svc).HANGWATCH_KAFKA_SASL_USERNAME;
    if (user === 'hangwatch-admin') assert.equal(name, 'kafka-topics', `${name} must not run as the super user`);
  }
  assert.match(readFileSync('compose/kafka-setup.sh', 'utf8'), /username="hangwatch-admin"/);
});

interface AclLine {
  readonly principal: string;
  readonly operation: string;
  readonly resource: string;
  readonly name: string;
  readonly pattern: string;
}

function readAcls(): AclLine[] {
  return readFileSync('compose/kafka-acls.txt', 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [principal = '', operation = '', resource = '', name = '', pattern = '', ...rest] = l.split(/\s+/);
      assert.deepEqual(rest, [], `ACL line has five fields: ${l}`);
      return { principal, operation, resource, name, pattern };
    });
}

interface Grants {
  read: string[];
  write: string[];
  groups: string[];
  cluster: string[];
}

function grantsByPrincipal(acls: readonly AclLine[]): Record<string, Grants> {
  const out: Record<string, Grants> = {};
  for (const a of acls) {
    const g = (out[a.principal] ??= { read: [], write: [], groups: [], cluster: [] });
    if (a.resource === 'topic') (a.operation === 'Read' ? g.read : g.write).push(a.name);
    else if (a.resource === 'group') g.groups.push(`${a.operation} ${a.name}${a.pattern === 'prefixed' ? '*' : ''}`);
    else g.cluster.push(a.operation);
  }
  for (const g of Object.values(out)) for (const list of Object.values(g) as string[][]) list.sort();
  return out;
}

const sorted = (...items: string[]): string[] => [...items].sort();

test('the ACL table names only the topics of shared/topics.ts and the services\' own consumer groups', () => {
  const acls = readAcls();
  const topics = new Set<string>(Object.values(TOPICS));
  const groups = new Set<string>([PARSER_SCHEMA.GROUP_ID.default, CORRELATOR_SCHEMA.GROUP_ID.default, INDEXER_SCHEMA.GROUP_ID.default, ALERTER_SCHEMA.GROUP_ID.default, 'hangwatch-alerts-cli']);
  for (const a of acls) {
    assert.match(a.principal, /^hangwatch-[a-z]+$/);
    assert.ok(['Read', 'Write', 'Delete', 'IdempotentWrite'].includes(a.operation), `operation ${a.operation}`);
    assert.ok(['literal', 'prefixed'].includes(a.pattern), `pattern ${a.pattern}`);
    if (a.resource === 'topic') {
      assert.ok(topics.has(a.name), `${a.name} is a topic of shared/topics.ts`);
      assert.equal(a.pattern, 'literal', `${a.principal}: topic grants name one topic`);
      assert.ok(['Read', 'Write'].includes(a.operation));
    } else if (a.resource === 'group') {
      assert.ok(groups.has(a.name), `${a.name} is a consumer group a hangwatch component uses`);
      assert.ok(['Read', 'Delete'].includes(a.operation));
    } else {
      assert.equal(a.resource, 'cluster');
      assert.deepEqual([a.operation, a.name, a.pattern], ['IdempotentWrite', 'kafka-cluster', 'literal']);
    }
  }
  assert.equal(new Set(acls.map((a) => JSON.stringify(a))).size, acls.length, 'no line twice');
});

test('each principal gets exactly what its code reads and writes', () => {
  // From the code: the shipper's sink; the parser's kafka-parser.ts; the correlator's kafka-correlator.ts (events
  // re-emitted when enriched or re-homed) and identity-topic.ts (placements followed in throw-away groups it
  // deletes); the indexer's default HANGWATCH_INDEXER_TOPICS; the alerter's kafka-alerter.ts (the alerts topic
  // read back as its ledger, silences and audit findings followed); the operators' `alerts silence|silences` and
  // `audit --kafka`.
  const expected: Record<string, Grants> = {
    'hangwatch-shipper': { read: [], write: [TOPICS.raw], groups: [], cluster: ['IdempotentWrite'] },
    'hangwatch-parser': { read: [TOPICS.raw], write: sorted(TOPICS.events, TOPICS.deadletter), groups: ['Read hangwatch-parser'], cluster: ['IdempotentWrite'] },
    'hangwatch-correlator': {
      read: sorted(TOPICS.events, TOPICS.identity),
      write: sorted(TOPICS.incidents, TOPICS.identity, TOPICS.events, TOPICS.deadletter),
      groups: sorted('Read hangwatch-correlator*', 'Delete hangwatch-correlator*'),
      cluster: ['IdempotentWrite'],
    },
    'hangwatch-indexer': { read: sorted(TOPICS.events, TOPICS.incidents, TOPICS.alerts, TOPICS.deadletter), write: [], groups: ['Read hangwatch-indexer'], cluster: [] },
    'hangwatch-alerter': {
      read: sorted(TOPICS.incidents, TOPICS.silences, TOPICS.audit, TOPICS.alerts),
      write: [TOPICS.alerts],
      groups: sorted('Read hangwatch-alerter*', 'Delete hangwatch-alerter*'),
      cluster: ['IdempotentWrite'],
    },
    'hangwatch-operator': { read: [TOPICS.silences], write: sorted(TOPICS.silences, TOPICS.audit), groups: sorted('Read hangwatch-alerts-cli*', 'Delete hangwatch-alerts-cli*'), cluster: [] },
  };
  assert.deepEqual(grantsByPrincipal(readAcls()), expected);
  const indexerTopics = String(INDEXER_SCHEMA.TOPICS.default).split(',');
  assert.deepEqual(sorted(...indexerTopics), expected['hangwatch-indexer']!.read, 'the indexer reads what it is configured to index');
});

test('kafka-setup creates one SCRAM user per principal with its secret, then the ACLs, as the super user', () => {
  const setup = service('kafka-setup');
  assert.equal(setup.image, service('kafka').image, 'the Kafka image (kafka-configs.sh, kafka-acls.sh)');
  assert.deepEqual(setup.command, ['/bin/bash', '/opt/hangwatch/kafka-setup.sh']);
  const mounts = volumesOf(setup);
  assert.ok(mounts.some((v) => v.source === './compose/kafka-acls.txt' && v.target === '/opt/hangwatch/kafka-acls.txt' && v.readOnly));
  assert.ok(mounts.some((v) => v.source === './compose/kafka-setup.sh' && v.readOnly));
  const principals = [...new Set(readAcls().map((a) => a.principal))].sort();
  assert.deepEqual(
    secretsOf(setup).sort(),
    ['kafka_admin_password', ...principals.map((p) => `kafka_${p.replace(/^hangwatch-/, '')}_password`)].sort(),
    'the admin password and one password per principal',
  );
  const script = readFileSync('compose/kafka-setup.sh', 'utf8');
  assert.match(script, /--entity-type users --entity-name "\$user"/);
  assert.match(script, /--add-config "SCRAM-SHA-512=\[password=\$\{password\}\]"/);
  assert.match(script, /read_secret "kafka_\$\{user#hangwatch-\}_password"/);
  assert.match(script, /kafka-acls\.sh" "\$\{kafka\[@\]\}" --add --allow-principal "User:\$user"/);
  assert.match(script, /security\.protocol=SASL_SSL\nsasl\.mechanism=SCRAM-SHA-512/);
});

test('every hangwatch service speaks SASL/SCRAM-SHA-512 over TLS to Kafka as its own user', () => {
  const principals = new Set(readAcls().map((a) => a.principal));
  const seen = new Set<string>();
  for (const [name, target] of Object.entries(hangwatchServices)) {
    const svc = service(name);
    const vars = env(svc);
    if (!principals.has(`hangwatch-${target}`)) {
      assert.equal(target, 'timeline', `${name} runs ${target}, which has no Kafka principal`);
      assert.equal(vars.HANGWATCH_KAFKA_BROKERS, undefined, 'the timeline service does not reach Kafka');
      continue;
    }
    assert.equal(vars.HANGWATCH_KAFKA_BROKERS, 'kafka:9092');
    assert.equal(vars.HANGWATCH_KAFKA_SASL_MECHANISM, 'scram-sha-512', name);
    assert.equal(vars.HANGWATCH_KAFKA_SASL_USERNAME, `hangwatch-${target}`, name);
    assert.equal(vars.HANGWATCH_KAFKA_SASL_PASSWORD_FILE, `/run/secrets/kafka_${target}_password`, name);
    assert.equal(vars.HANGWATCH_KAFKA_SSL_CA_FILE, '/certs/ca/ca.crt', name);
    assert.ok(secretsOf(svc).includes(`kafka_${target}_password`), name);
    assert.ok(volumesOf(svc).some((v) => v.source === 'ca-cert' && v.readOnly), name);
    assert.equal(dependsOn(svc)['kafka-topics'], 'service_completed_successfully', `${name} starts after the topics, users and ACLs`);
    seen.add(target);
  }
  assert.deepEqual([...seen].sort(), ['alerter', 'correlator', 'indexer', 'parser']);
  const topicsJob = env(service('kafka-topics'));
  assert.equal(topicsJob.HANGWATCH_KAFKA_SASL_MECHANISM, 'scram-sha-512');
  assert.equal(topicsJob.HANGWATCH_KAFKA_SASL_USERNAME, 'hangwatch-admin');
  assert.equal(dependsOn(service('kafka-topics'))['kafka-setup'], 'service_completed_successfully');
  // INTERNAL is what kafka:9092 reaches, and it is SASL_SSL.
  const kafkaVars = env(service('kafka'));
  assert.match(kafkaVars.KAFKA_ADVERTISED_LISTENERS ?? '', /(?:^|,)INTERNAL:\/\/kafka:9092(?:,|$)/);
  assert.equal(listenerTable(kafkaVars).find((l) => l.name === 'INTERNAL')?.protocol, 'SASL_SSL');
});

// --- Timeline -------------------------------------------------------------------------------------------------

test('the timeline service requires its token', () => {
  const [name, svc] = Object.entries(services).find(([n]) => hangwatchServices[n] === 'timeline') ?? [];
  assert.ok(name && svc);
  const vars = env(svc);
  assert.equal(vars.HANGWATCH_TIMELINE_TOKEN_FILE, '/run/secrets/timeline_token');
  assert.ok(secretsOf(svc).includes('timeline_token'));
  assert.notEqual(vars.HANGWATCH_TIMELINE_ALLOW_ANONYMOUS, 'true');
  // The query form is the operator's choice, off unless set.
  assert.match(vars.HANGWATCH_TIMELINE_TOKEN_IN_URL ?? 'false', /^(?:false|\$\{[A-Z_]+:-false\})$/);
});
