import type { Logger } from './logger.js';

// The composition root's lifecycle: start, then stop once on SIGTERM/SIGINT, with a deadline so a stuck
// dependency cannot keep a pod from terminating. A dependency that failed for good (a Kafka consumer that
// crashed with a non-retriable error and will not restart) stops the service too, with exit status 1: a
// process that stays up doing nothing looks healthy to its supervisor, one that exits is restarted.

export interface RunningService {
  stop(): Promise<void>;
}

/** A started consumer of a service: readiness for /readyz, and a stop for the composition root. */
export interface RunningConsumer extends RunningService {
  readonly ready: () => boolean;
}

/** Told by an adapter when it cannot go on (the error is logged by the runtime); the service then exits 1. */
export type FailService = (error: unknown, what: string) => void;

/** Exit status of a service stopped by a failure (a signal-stopped service exits 0). */
export const FAILED_EXIT_CODE = 1;

export async function runUntilSignal(logger: Logger, start: (fail: FailService) => Promise<RunningService>, stopDeadlineMs = 20_000): Promise<void> {
  let stopNow: ((reason: { signal: NodeJS.Signals } | { failure: unknown; what: string }) => void) | undefined;
  let early: { failure: unknown; what: string } | undefined;
  const fail: FailService = (error, what) => {
    // A failure while starting is acted on once the service exists (its stop closes what was opened).
    if (stopNow) stopNow({ failure: error, what });
    else early ??= { failure: error, what };
  };
  const service = await start(fail);
  const failed = await new Promise<boolean>((resolve) => {
    let stopping = false;
    stopNow = (reason): void => {
      if (stopping) return;
      stopping = true;
      if ('signal' in reason) logger.info({ signal: reason.signal }, 'stopping');
      else logger.fatal({ err: reason.failure, what: reason.what, exitCode: FAILED_EXIT_CODE }, `${reason.what} failed and cannot recover; stopping the service so that its supervisor restarts it`);
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
          resolve(!('signal' in reason));
        });
    };
    process.once('SIGTERM', (signal) => stopNow?.({ signal }));
    process.once('SIGINT', (signal) => stopNow?.({ signal }));
    if (early) stopNow(early);
  });
  if (failed) {
    logger.info({ exitCode: FAILED_EXIT_CODE }, 'stopped after a failure');
    // Exit now: a client that did not close cleanly must not keep the failed process alive.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    process.exit(FAILED_EXIT_CODE);
  }
  logger.info('stopped');
}
