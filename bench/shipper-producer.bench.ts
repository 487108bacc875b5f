// The shipper's produce clients alone (issue 4 speed): the same N raw records (8 headers, as the shipper builds them)
// sent by the sink's clients to a fresh one-partition topic per variant, acks=all and idempotent, in batches of the
// shipper's default size; prints records/s and CPU seconds per variant, so the client and its settings are chosen
// by measurement. kafkajs is the former client (requests of 1000 records, kafkajs's grouping being quadratic).
// Usage: node --import tsx scripts/with-stack.ts node --import tsx bench/shipper-producer.bench.ts [--records N]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { COMMON_SCHEMA, loadConfig } from '../shared/config.js';
import { buildKafkaTls, createKafka } from '../shared/clients/kafka.js';
import { NativeProducer } from '../services/shipper/adapters/native-producer.js';
import { KafkajsClient, type ProduceClient } from '../services/shipper/adapters/produce-client.js';
import { createRawRecordBuilder } from '../services/shipper/core/raw-message.js';
import type { OutRecord } from '../services/shipper/core/send-queue.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' } } });
const total = Number(values.records);
const common = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
/** The shipper's default batch: 10,000 records or 4 MiB. */
const BATCH_RECORDS = 10_000;

function buildRecords(): OutRecord[] {
  const now = new Date().toISOString();
  const build = createRawRecordBuilder({ host: 'bench-host', path: '/var/log/libvirt/libvirtd.log', format: 'libvirtd', fingerprint: '0123456789abcdef', mtime: now }, now, 65_536);
  const out: OutRecord[] = [];
  let offset = 0;
  for (let i = 0; i < total; i++) {
    const bytes = Buffer.from(`2017-03-15 05:11:${String(i % 60).padStart(2, '0')}.000+0000: 1000: error : qemuMonitorIO:697 : internal error: End of file from qemu monitor (${i})`);
    out.push(build({ offset, bytes }, 1, offset + bytes.length + 1));
    offset += bytes.length + 1;
  }
  return out;
}

interface Variant {
  readonly name: string;
  readonly client: (topic: string) => ProduceClient;
}

const kafka = createKafka(common, 'bench-shipper-producer');
const native = (inFlight: number) => (topic: string) =>
  new NativeProducer({
    brokers: common.KAFKA_BROKERS,
    clientId: 'hangwatch-bench-shipper-producer',
    ssl: buildKafkaTls(common),
    topic,
    compression: 'none',
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
    requestMaxBytes: 900_000,
    maxInFlightRequests: inFlight,
  });
const variants: Variant[] = [
  { name: 'kafkajs, 1000 records/request, 1 in flight', client: (topic) => new KafkajsClient({ kafka, topic, compression: 'none', requestMaxRecords: 1_000 }) },
  { name: 'native, 900 KB/request, 1 in flight', client: native(1) },
  { name: 'native, 900 KB/request, 5 in flight (default)', client: native(5) },
];

const admin = kafka.admin();
await admin.connect();
const topics: string[] = [];
try {
  const records = buildRecords();
  for (const v of variants) {
    const topic = `hw-bench-producer-${topics.length}-${run}`;
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const client = v.client(topic);
    await client.connect();
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < records.length; i += BATCH_RECORDS) {
      await client.send(records.slice(i, i + BATCH_RECORDS), { done: 0 }, () => {
        throw new Error('a bench record was refused as too large');
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await client.close();
    const offsets = await admin.fetchTopicOffsets(topic);
    const stored = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    if (stored !== total) throw new Error(`${v.name}: ${stored} records in Kafka, expected ${total}`);
    process.stdout.write(`${v.name.padEnd(50)} ${Math.round(total / seconds).toString().padStart(8)} records/s, ${((used.user + used.system) / 1e6).toFixed(2)} CPU s\n`);
  }
} finally {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}
