import { connect } from 'node:net';
import { HangwatchError } from '../shared/errors.js';

// Is anything listening? A TCP connect to 127.0.0.1 is the truth `status` reports, beside the pid.

export function isPortAnswering(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Throws HW_STACK_PORT_TAKEN when something we did not start already listens on one of the ports. */
export async function assertPortsFree(service: string, ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    if (await isPortAnswering(port)) {
      throw new HangwatchError('HW_STACK_PORT_TAKEN', [
        port,
        `${service} cannot listen on 127.0.0.1:${port}; stop that process (e.g. \`ss -ltnp 'sport = :${port}'\` shows it) or choose other ports with HANGWATCH_STACK_* variables`,
      ]);
    }
  }
}
