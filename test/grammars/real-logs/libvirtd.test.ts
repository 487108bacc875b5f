import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public libvirtd records (test/fixtures/real-logs/libvirtd, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('libvirtd', test);
