// kafkajs produce paths for the shipper's records (issue 4 speed): the same N records with 8 headers sent to a
// fresh topic per variant (request size, idempotence, requests in flight, header values as shared Buffers), so
// the sink's settings are chosen by measurement. Prints records/s per variant.
// Usage: node --import tsx scripts/with-stack.ts node --import tsx bench/shipper-producer.bench.ts [--records N]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CompressionTypes, type Message } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../shared/config.js';
import { createKafka } from '../shared/clients/kafka.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' } } });
const total = Number(values.records);
const common = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);

function buildMessages(shared: boolean): Message[] {
  const constant = { 'hw-host': 'bench-host', 'hw-path': '/var/log/libvirt/libvirtd.log', 'hw-format': 'libvirtd', 'hw-fingerprint': '0123456789abcdef', 'schema-version': '1' };
  const sharedBuffers = Object.fromEntries(Object.entries(constant).map(([k, v]) => [k, Buffer.from(v)]));
  const created = new Date().toISOString();
  const out: Message[] = [];
  for (let i = 0; i < total; i++) {
    const value = Buffer.from(`2017-03-15 05:11:${String(i % 60).padStart(2, '0')}.000+0000: 1000: error : qemuMonitorIO:697 : internal error: End of file from qemu monitor (${i})`);
    out.push({ key: 'bench-host', value, headers: { ...(shared ? sharedBuffers : constant), 'hw-offset': String(i * 120), 'hw-created': created, 'hw-mtime': created } });
  }
  return out;
}

interface Variant {
  readonly name: string;
  readonly requestRecords: number;
  readonly idempotent: boolean;
  readonly inFlight: number;
  readonly sharedHeaders: boolean;
}

const variants: Variant[] = [
  { name: 'now: 2500/request, idempotent, 1 in flight', requestRecords: 2_500, idempotent: true, inFlight: 1, sharedHeaders: false },
  { name: '300/request, idempotent, 1 in flight', requestRecords: 300, idempotent: true, inFlight: 1, sharedHeaders: false },
  { name: '1000/request, idempotent, 1 in flight', requestRecords: 1_000, idempotent: true, inFlight: 1, sharedHeaders: false },
  { name: '1000/request, idempotent, shared header Buffers', requestRecords: 1_000, idempotent: true, inFlight: 1, sharedHeaders: true },
  { name: '1000/request, not idempotent, 4 in flight', requestRecords: 1_000, idempotent: false, inFlight: 4, sharedHeaders: false },
  { name: '1000/request, idempotent, 4 sends queued (serialized by kafkajs)', requestRecords: 1_000, idempotent: true, inFlight: 4, sharedHeaders: false },
];

const kafka = createKafka(common, 'bench-shipper-producer');
const admin = kafka.admin();
await admin.connect();
const topics: string[] = [];
try {
  for (const v of variants) {
    const topic = `hw-bench-producer-${topics.length}-${run}`;
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const messages = buildMessages(v.sharedHeaders);
    const producer = kafka.producer({ idempotent: v.idempotent, maxInFlightRequests: v.idempotent ? 1 : v.inFlight, allowAutoTopicCreation: false });
    await producer.connect();
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages.length) {
        const chunk = messages.slice(next, next + v.requestRecords);
        next += v.requestRecords;
        await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: chunk });
      }
    };
    await Promise.all(Array.from({ length: v.inFlight }, worker));
    const seconds = (performance.now() - started) / 1000;
    await producer.disconnect();
    process.stdout.write(`${v.name.padEnd(62)} ${Math.round(total / seconds).toString().padStart(8)} records/s\n`);
  }
} finally {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}
