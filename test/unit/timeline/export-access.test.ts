import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkExposure, createTokenCheck, describeRefusal, isLoopbackHost, MIN_TOKEN_LENGTH, tokenProblem } from '../../../services/timeline/core/export-access.js';

// Who may read a timeline export: the token check and the start-up rules, as pure functions.

const TOKEN = 'a3f1c9e07b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d';
const headerOnly = createTokenCheck(TOKEN, { acceptQuery: false });
const withQuery = createTokenCheck(TOKEN, { acceptQuery: true });

test('the bearer header carries the token; the scheme is case-insensitive', () => {
  assert.equal(headerOnly({ authorization: `Bearer ${TOKEN}` }), 'accepted');
  assert.equal(headerOnly({ authorization: `bearer ${TOKEN}` }), 'accepted');
  assert.equal(headerOnly({ authorization: `BEARER   ${TOKEN} ` }), 'accepted');
});

test('a missing, different, shorter, longer or differently cased token is refused', () => {
  assert.equal(headerOnly({}), 'missing');
  assert.equal(headerOnly({ authorization: '' }), 'missing');
  assert.equal(headerOnly({ authorization: `Bearer ${TOKEN.slice(0, -1)}x` }), 'wrong');
  assert.equal(headerOnly({ authorization: `Bearer ${TOKEN.slice(0, -1)}` }), 'wrong');
  assert.equal(headerOnly({ authorization: `Bearer ${TOKEN}0` }), 'wrong');
  assert.equal(headerOnly({ authorization: `Bearer ${TOKEN.toUpperCase()}` }), 'wrong');
  assert.equal(headerOnly({ authorization: 'Bearer' }), 'not-bearer');
  assert.equal(headerOnly({ authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }), 'not-bearer');
  assert.equal(headerOnly({ authorization: `Bearer ${TOKEN} extra` }), 'not-bearer');
});

test('the query parameter counts only when the operator turned it on', () => {
  assert.equal(headerOnly({ query: TOKEN }), 'query-disabled');
  assert.equal(withQuery({ query: TOKEN }), 'accepted');
  assert.equal(withQuery({ query: `${TOKEN}x` }), 'wrong');
  assert.equal(withQuery({ query: '' }), 'missing');
});

test('the header wins over the query parameter when both are given', () => {
  assert.equal(withQuery({ authorization: 'Bearer nope', query: TOKEN }), 'wrong');
  assert.equal(withQuery({ authorization: `Bearer ${TOKEN}`, query: 'nope' }), 'accepted');
});

test('the comparison is constant-time over digests, never a string comparison of the token', () => {
  const source = readFileSync('services/timeline/core/export-access.ts', 'utf8');
  assert.equal(source.match(/timingSafeEqual\(digest\(/g)?.length, 2, 'header and query both compared with timingSafeEqual');
  assert.doesNotMatch(source, /===\s*(?:token|expected)\b|\b(?:token|expected)\s*===/);
});

test('refusal messages say what to send and never repeat a token', () => {
  for (const verdict of ['missing', 'wrong', 'not-bearer', 'query-disabled'] as const) {
    const text = describeRefusal(verdict);
    assert.ok(text.length > 0);
    assert.ok(!text.includes(TOKEN));
  }
  assert.match(describeRefusal('query-disabled'), /HANGWATCH_TIMELINE_TOKEN_IN_URL/);
});

test('a configured token must be long and URL-safe', () => {
  assert.equal(tokenProblem(TOKEN), undefined);
  assert.equal(tokenProblem('A'.repeat(MIN_TOKEN_LENGTH)), undefined);
  assert.match(tokenProblem('A'.repeat(MIN_TOKEN_LENGTH - 1)) ?? '', /at least 32/);
  assert.match(tokenProblem(`${'A'.repeat(40)}+/=`) ?? '', /only A-Z/);
  assert.match(tokenProblem(`${'A'.repeat(40)} B`) ?? '', /only A-Z/);
  const problem = tokenProblem('short-secret') ?? '';
  assert.ok(!problem.includes('short-secret'), 'the problem never repeats the token');
});

test('without a token the service starts on loopback with a warning, and refuses the network', () => {
  const base = { token: undefined, tokenFileNamed: false, tokenInUrl: false, allowAnonymous: false };
  const loopback = checkExposure({ ...base, httpHost: '127.0.0.1' });
  assert.deepEqual(loopback.problems, []);
  assert.equal(loopback.warnings.length, 1);
  assert.match(loopback.warnings[0]!, /no timeline token/);

  const open = checkExposure({ ...base, httpHost: '0.0.0.0' });
  assert.equal(open.problems.length, 1);
  assert.match(open.problems[0]!, /HANGWATCH_TIMELINE_TOKEN_FILE/);

  const behindProxy = checkExposure({ ...base, httpHost: '0.0.0.0', allowAnonymous: true });
  assert.deepEqual(behindProxy.problems, []);
  assert.match(behindProxy.warnings[0]!, /ALLOW_ANONYMOUS/);
});

test('with a token the service may listen anywhere, silently', () => {
  const report = checkExposure({ token: TOKEN, tokenFileNamed: true, tokenInUrl: true, allowAnonymous: false, httpHost: '0.0.0.0' });
  assert.deepEqual(report, { problems: [], warnings: [] });
  const weak = checkExposure({ token: 'hunter2', tokenFileNamed: false, tokenInUrl: false, allowAnonymous: false, httpHost: '127.0.0.1' });
  assert.equal(weak.problems.length, 1);
  assert.ok(!weak.problems[0]!.includes('hunter2'));
});

test('an empty token file and the query form without a token are configuration mistakes', () => {
  const report = checkExposure({ token: undefined, tokenFileNamed: true, tokenInUrl: true, allowAnonymous: false, httpHost: '127.0.0.1' });
  assert.equal(report.problems.length, 2);
  assert.match(report.problems[0]!, /file is empty/);
  assert.match(report.problems[1]!, /TOKEN_IN_URL=true needs a token/);
});

test('loopback addresses, by address or by name', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '::', '', '10.0.0.5', '192.168.1.1', 'timeline', '127.0.0.1.example.com', '1127.0.0.1']) assert.ok(!isLoopbackHost(host), host);
});
