import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localToUtcMs, parseZone } from '../../shared/time.js';
import { cachedLocalToUtcMs } from '../../services/parser/core/kernel/local-time-cache.js';
import { bsdStampMs, isoStampMs, wallClockMs } from '../../services/parser/core/kernel/kernel-time.js';

test('the per-hour zone cache agrees with localToUtcMs across daylight-saving changes', () => {
  const ny = parseZone('America/New_York');
  const lordHowe = parseZone('Australia/Lord_Howe');
  const cases: Array<[typeof ny, number, number, number]> = [];
  for (const [zone, y, m, d] of [
    [ny, 2017, 3, 12],
    [ny, 2017, 11, 5],
    [lordHowe, 2017, 4, 2],
    [lordHowe, 2017, 10, 1],
  ] as const) {
    for (let h = 0; h < 4; h++) for (const min of [0, 15, 29, 30, 45, 59]) cases.push([zone, y * 10000 + m * 100 + d, h, min]);
  }
  for (const [zone, ymd, h, min] of cases) {
    const y = Math.floor(ymd / 10000);
    const m = Math.floor(ymd / 100) % 100;
    const d = ymd % 100;
    assert.equal(cachedLocalToUtcMs(zone, y, m, d, h, min, 7, 250), localToUtcMs(zone, y, m, d, h, min, 7, 250), `${zone.name} ${ymd} ${h}:${min}`);
  }
});

test('stamp readers keep fractions and offsets', () => {
  const utc = parseZone('UTC');
  const mtime = { ms: Date.UTC(2017, 2, 20), basis: 'file-mtime' } as const;
  assert.equal(bsdStampMs('Mar 15 13:05:29.345601 ', mtime, utc), Date.UTC(2017, 2, 15, 13, 5, 29, 345));
  assert.equal(bsdStampMs('Mar  5 01:02:03 ', mtime, utc), Date.UTC(2017, 2, 5, 1, 2, 3));
  assert.deepEqual(isoStampMs('2017-03-15T13:05:01.123456+08:00 ', utc), { ms: Date.UTC(2017, 2, 15, 5, 5, 1, 123), explicit: true });
  assert.deepEqual(isoStampMs('2017-03-15T13:05:01-0530 ', utc), { ms: Date.UTC(2017, 2, 15, 18, 35, 1), explicit: true });
  assert.deepEqual(isoStampMs('2017-03-15T05:08:40.5Z ', utc), { ms: Date.UTC(2017, 2, 15, 5, 8, 40, 500), explicit: true });
  assert.equal(wallClockMs('[Wed Mar  1 13:05:01 2017] ', parseZone('+08:00')), Date.UTC(2017, 2, 1, 5, 5, 1));
  assert.throws(() => wallClockMs('[Thu Feb 30 13:05:01 2017] ', utc), { code: 'HW_TIME_INVALID' });
});
