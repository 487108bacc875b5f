import { COMMON_SCHEMA, loadConfig } from '../../../shared/config.js';
import { createKafka, watchConsumer } from '../../../shared/clients/kafka.js';
import { createLogger } from '../../../shared/logger.js';
import { runUntilSignal } from '../../../shared/service-runtime.js';

// A minimal service with the services' lifecycle (runUntilSignal) and crash watch (watchConsumer) whose batch
// handler has a bug: a TypeError, which kafkajs treats as non-retriable (CRASH with restart=false; the consumer
// stays stopped). Run by test/faults/50-consumer-crash.test.ts: the process must log it and exit 1.
// Usage: node --import tsx crashing-consumer.ts TOPIC GROUP

const [topic, groupId] = process.argv.slice(2) as [string, string];
const common = loadConfig('', COMMON_SCHEMA, process.env);
const logger = createLogger({ name: 'crashing-consumer', level: 'info' });

await runUntilSignal(logger, async (fail) => {
  const kafka = createKafka(common, 'crashing-consumer', logger);
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
  watchConsumer(consumer, { what: 'crashing consumer', logger, onFatal: fail });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      logger.info({ offset: batch.firstOffset() }, 'batch received');
      // The bug: a lookup that found nothing is used anyway (TypeError: cannot read properties of undefined).
      const found = new Map<string, { field: string }>().get(batch.topic) as { field: string };
      logger.info({ field: found.field }, 'unreachable');
    },
  });
  logger.info('consumer started');
  return { stop: () => consumer.disconnect() };
});
