import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public windbg records (test/fixtures/real-logs/windbg, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('windbg', test);
