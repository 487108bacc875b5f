import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public qemu records (test/fixtures/real-logs/qemu, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('qemu', test);
