import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public evtx records (test/fixtures/real-logs/evtx, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('evtx', test);
