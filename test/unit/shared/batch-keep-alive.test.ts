import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchKeepAlive, membershipErrorOf, rejoiningOnMembershipLoss } from '../../../shared/clients/batch-keep-alive.js';

test('a long batch loop heartbeats once per interval, not per record, and not before the first interval', async () => {
  let clock = 0;
  let beats = 0;
  const due = batchKeepAlive(async () => void beats++, 1_000, () => clock);
  // 10,000 records at 0.35 ms each: 3.5 s of processing.
  for (let i = 0; i < 10_000; i++) {
    clock += 0.35;
    const beat = due();
    if (beat) await beat;
  }
  assert.equal(beats, 3);
});

test('a heartbeat that fails (a rebalance) rejects where the loop awaits it', async () => {
  let clock = 0;
  const due = batchKeepAlive(() => Promise.reject(new Error('The group is rebalancing')), 1_000, () => clock);
  assert.equal(due(), undefined);
  clock = 1_000;
  await assert.rejects(due() as Promise<void>, /rebalancing/);
});

test('a refused commit wrapped by kafkajs (member unknown) is unwrapped so its runner rejoins; other errors pass unchanged', async () => {
  const { KafkaJSNonRetriableError, KafkaJSProtocolError } = (await import('kafkajs')).default as unknown as typeof import('kafkajs');
  const unknownMember = new KafkaJSProtocolError({ type: 'UNKNOWN_MEMBER_ID', code: 25, retriable: false, message: 'The coordinator is not aware of this member' } as never);
  // As kafkajs's retrier wraps it (src/retry/index.js); its typings omit the options argument.
  const Wrapper = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
  const wrapped = new Wrapper(unknownMember, { cause: unknownMember });
  const handler = rejoiningOnMembershipLoss(async () => {
    throw wrapped;
  });
  await assert.rejects(handler({}), (e: unknown) => e === unknownMember);
  const other = new KafkaJSNonRetriableError(new Error('broken'));
  assert.equal(membershipErrorOf(other), other);
  assert.equal(membershipErrorOf('text'), 'text');
});
