import { test } from 'node:test';
import { describeRealLogs } from './harness.js';

// Real public winevent-xml records (test/fixtures/real-logs/winevent-xml, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('winevent-xml', test);
