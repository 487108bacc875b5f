import { createStackContext, stackDown, stackUp } from '../../../infra/stack.js';

// Stops and starts one service of the shared local stack (infra/stack.ts) for outage faults. Others may be
// using the stack: the outage is kept to the length the fault needs, and start is always attempted after it.

export type StackService = 'kafka' | 'elasticsearch';

const say = (m: string): void => void process.stderr.write(`faults: stack: ${m}\n`);

export async function stopStackService(service: StackService): Promise<void> {
  await stackDown(createStackContext(say), { purge: false, only: [service] });
}

/** Starts what is not running, with HANGWATCH_STACK_* overrides (e.g. ES_WRITE_QUEUE_SIZE); waits until healthy. */
export async function startStack(overrides: Readonly<Record<string, string>> = {}): Promise<void> {
  await stackUp(createStackContext(say, { ...process.env, ...overrides }));
}

/** An outage of `ms` milliseconds: stop, wait, start again even when waiting was interrupted. */
export async function outage(service: StackService, ms: number): Promise<void> {
  await stopStackService(service);
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    await startStack();
  }
}
