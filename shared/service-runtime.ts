import type { Logger } from './logger.js';

// The composition root's lifecycle: start, then stop once on SIGTERM/SIGINT, with a deadline so a stuck
// dependency cannot keep a pod from terminating.

export interface RunningService {
  stop(): Promise<void>;
}

/** A started consumer of a service: readiness for /readyz, and a stop for the composition root. */
export interface RunningConsumer extends RunningService {
  readonly ready: () => boolean;
}

export async function runUntilSignal(logger: Logger, start: () => Promise<RunningService>, stopDeadlineMs = 20_000): Promise<void> {
  const service = await start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        logger.error({ stopDeadlineMs }, 'stop deadline passed; exiting');
        process.exit(1);
      }, stopDeadlineMs);
      deadline.unref();
      service
        .stop()
        .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
        .finally(() => {
          clearTimeout(deadline);
          resolve();
        });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  logger.info('stopped');
}
