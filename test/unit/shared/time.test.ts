import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferSyslogYear, isoInZone, isoUtc, localToUtcMs, parseInstant, parseZone, utcMsFromParts } from '../../../shared/time.js';

test('isoUtc matches toISOString, including the per-second prefix cache and fractional input', () => {
  const samples = [0, 1489554714777, 1489554714005, 1489554714050, 1489554715000, 7258118400000, 1489554714777.9];
  for (const ms of samples) assert.equal(isoUtc(ms), new Date(Math.floor(ms)).toISOString());
  let seed = 42;
  for (let i = 0; i < 20000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const ms = Math.floor((seed / 2147483648) * 7.3e12);
    assert.equal(isoUtc(ms), new Date(ms).toISOString());
  }
});

test('zones: IANA names and fixed offsets, GMT+8 as WinDbg writes it', () => {
  assert.deepEqual(parseZone('+08:00'), { kind: 'fixed', name: '+08:00', offsetMinutes: 480 });
  assert.deepEqual(parseZone('GMT+8'), { kind: 'fixed', name: '+08:00', offsetMinutes: 480 });
  assert.deepEqual(parseZone('-0530'), { kind: 'fixed', name: '-05:30', offsetMinutes: -330 });
  assert.equal(parseZone('Asia/Shanghai').kind, 'iana');
  assert.throws(() => parseZone('Mars/Olympus'), /unknown zone/);
  assert.throws(() => parseZone('+15:00'), /out of range/);
});

test('local wall-clock times convert to UTC with daylight saving applied', () => {
  const shanghai = parseZone('Asia/Shanghai');
  assert.equal(new Date(localToUtcMs(shanghai, 2017, 3, 15, 13, 11, 54, 777)).toISOString(), '2017-03-15T05:11:54.777Z');
  const berlin = parseZone('Europe/Berlin');
  assert.equal(new Date(localToUtcMs(berlin, 2017, 7, 1, 12, 0, 0)).toISOString(), '2017-07-01T10:00:00.000Z');
  assert.equal(new Date(localToUtcMs(berlin, 2017, 1, 1, 12, 0, 0)).toISOString(), '2017-01-01T11:00:00.000Z');
  assert.equal(isoInZone(Date.UTC(2017, 2, 15, 5, 11, 54, 777), shanghai), '2017-03-15T13:11:54.777+08:00');
});

test('impossible dates are refused', () => {
  assert.throws(() => utcMsFromParts(2017, 2, 30, 0, 0, 0), /invalid time/);
  assert.throws(() => utcMsFromParts(2017, 13, 1, 0, 0, 0), /invalid time/);
  assert.equal(utcMsFromParts(2016, 2, 29, 0, 0, 0), Date.UTC(2016, 1, 29));
});

test('syslog year: closest before the reference, right across New Year', () => {
  const jan1 = Date.UTC(2018, 0, 1, 0, 5, 0);
  assert.equal(inferSyslogYear(12, 31, 23, 59, 0, jan1), 2017);
  assert.equal(inferSyslogYear(1, 1, 0, 1, 0, jan1), 2018);
  assert.equal(inferSyslogYear(3, 15, 5, 0, 0, Date.UTC(2017, 2, 16)), 2017);
});

test('command-line instants: with offset, Z, or a bare local time in a zone', () => {
  assert.equal(parseInstant('2017-03-15T13:11:54.777+08:00'), Date.UTC(2017, 2, 15, 5, 11, 54, 777));
  assert.equal(parseInstant('2017-03-15T05:11:54Z'), Date.UTC(2017, 2, 15, 5, 11, 54));
  assert.equal(parseInstant('2017-03-15 13:11', parseZone('Asia/Shanghai')), Date.UTC(2017, 2, 15, 5, 11));
  assert.throws(() => parseInstant('yesterday'), /not ISO 8601/);
});
