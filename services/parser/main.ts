import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { runUntilSignal } from '../../shared/service-runtime.js';
import { parseZone } from '../../shared/time.js';
import { readSnapshots } from '../correlator/adapters/identity-snapshots.js';
import { followIdentity } from '../correlator/adapters/identity-topic.js';
import { PARSER_SCHEMA } from './config.js';
import { GuestDirectory } from './core/peer/guest-directory.js';
import { buildTopicBindings } from './core/peer/topic-bindings.js';
import { FORMAT_PARSERS } from './core/registry.js';
import { startKafkaParser } from './adapters/kafka-parser.js';

// Composition root of the parser service: config, clients, start, stop on SIGTERM.
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const config = loadConfig('PARSER', PARSER_SCHEMA, env);
  const topics = buildTopicBindings({
    hangwatch: config.INPUT_TOPICS,
    peers: { filebeat: config.FILEBEAT_TOPICS, vector: config.VECTOR_TOPICS, rsyslog: config.RSYSLOG_TOPICS, winlogbeat: config.WINLOGBEAT_TOPICS },
    formats: config.TOPIC_FORMATS,
    senders: config.WINLOGBEAT_SENDERS,
  });
  const logger = createLogger({ name: 'parser', level: common.LOG_LEVEL });
  const metrics = new MetricsRegistry();
  await runUntilSignal(logger, async (fail) => {
    const kafka = createKafka(common, 'parser', logger);
    const directory = new GuestDirectory();
    if (config.WINLOGBEAT_TOPICS.length > 0 && config.RESTORE_IDENTITY) {
      // Guests whose qemu command line is older than what this replica will consume: the correlator's facts.
      try {
        for (const [hypervisor, snapshot] of await readSnapshots(kafka, config.GROUP_ID, logger)) directory.learnSnapshot(hypervisor, snapshot.macs);
      } catch (error) {
        logger.warn({ err: error }, 'identity topic unreadable: Winlogbeat guests are placed only from qemu lines seen from now on');
      }
    }
    // And live: placements the correlators learn from now on (records emitted unplaced before are re-emitted by them).
    const identity =
      config.WINLOGBEAT_TOPICS.length > 0 && config.RESTORE_IDENTITY
        ? await followIdentity({ kafka, groupPrefix: `${config.GROUP_ID}-identity`, logger, onMac: (r) => directory.learnSnapshot(r.hypervisor, { [r.mac]: r.facts }) })
        : undefined;
    const parser = await startKafkaParser({
      kafka,
      groupId: config.GROUP_ID,
      topics,
      eventsTopic: config.EVENTS_TOPIC,
      directory,
      registry: FORMAT_PARSERS,
      parseOptions: {
        maxRecordBytes: config.MAX_RECORD_BYTES,
        validate: config.VALIDATE_EVENTS,
        hostZone: parseZone(config.HOST_TZ),
        ...(config.GUEST_TZ ? { guestZone: parseZone(config.GUEST_TZ) } : {}),
      },
      logger,
      metrics,
      onFatal: fail,
    });
    const http = await startHealthServer({ port: config.HTTP_PORT, host: config.HTTP_HOST, metrics, ready: parser.ready });
    logger.info({ topics: Object.fromEntries([...topics].map(([t, b]) => [t, b.kind])), group: config.GROUP_ID, guests: directory.size, httpPort: http.port }, 'parser started');
    return {
      stop: async () => {
        await parser.stop();
        await identity?.stop();
        await http.close();
      },
    };
  });
}
