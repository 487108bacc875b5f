import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public kernel records (test/fixtures/real-logs/kernel, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('kernel', test);
