import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public iostat records (test/fixtures/real-logs/iostat, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('iostat', test);
