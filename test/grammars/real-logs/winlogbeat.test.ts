import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public winlogbeat records (test/fixtures/real-logs/winlogbeat, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('winlogbeat', test);
