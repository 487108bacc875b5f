import { KIND_FORMATS, listRealLogs, parseRealLog } from './harness.js';

// Prints the per-kind table of the real-logs golden set: records read, events, dead letters, per file with
// `--files`. `node --import tsx test/grammars/real-logs/summary.ts [--files]`.

const perFile = process.argv.includes('--files');
const rows: string[] = ['| kind | files | records | events | dead letters |', '|---|---|---|---|---|'];
for (const kind of Object.keys(KIND_FORMATS)) {
  let records = 0;
  let events = 0;
  let dead = 0;
  const names = listRealLogs(kind);
  for (const name of names) {
    const outcome = await parseRealLog(kind, name);
    records += outcome.records;
    events += outcome.events.length;
    dead += outcome.deadletters.length;
    if (perFile) console.log(`${kind}/${name}: records=${outcome.records} events=${outcome.events.length} deadletters=${outcome.deadletters.length}`);
  }
  rows.push(`| ${kind} | ${names.length} | ${records} | ${events} | ${dead} |`);
}
console.log(rows.join('\n'));
