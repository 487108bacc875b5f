import { HangwatchError } from '../shared/errors.js';

// The one CLI (DESIGN.md section 3). Each command lives in cli/commands/<name>.ts and exports
// `run(argv): Promise<number>`; loaded lazily so `hangwatch parse` does not load the Kafka client.

interface CommandModule {
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  parse: { summary: 'parse log files into normalized events (NDJSON on stdout)', load: () => import('./commands/parse.js') },
  analyze: { summary: 'parse and correlate a folder of collected logs offline; write events, incidents, alerts', load: () => import('./commands/analyze.js') },
  timeline: { summary: 'export a postmortem timeline (md, html, csv, jsonl)', load: () => import('./commands/timeline.js') },
  ship: { summary: 'tail host and guest logs into Kafka (the shipper)', load: () => import('./commands/ship.js') },
  stack: { summary: 'up | down | status of the local Kafka and Elasticsearch', load: () => import('./commands/stack.js') },
  alerts: { summary: 'alert rules: list, check, silence', load: () => import('./commands/alerts.js') },
  kibana: { summary: 'import the Kibana saved objects', load: () => import('./commands/kibana.js') },
  service: { summary: 'run one pipeline service: parser | correlator | indexer | alerter | timeline', load: () => import('./commands/service.js') },
  demo: { summary: 'the main job: run the whole pipeline on the bundled sample data and summarize', load: () => import('./commands/demo.js') },
  audit: { summary: 'find Windows domains lacking Hyper-V enlightenments', load: () => import('./commands/audit.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: hangwatch <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'hangwatch <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  // `hangwatch parse ... | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`hangwatch: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (error) {
    return reportFatal(error);
  }
}

export function reportFatal(error: unknown): number {
  if (error instanceof HangwatchError) {
    process.stderr.write(`hangwatch: ${error.code}: ${error.message}\n`);
    return error.code === 'HW_USAGE' ? 2 : 1;
  }
  process.stderr.write(`hangwatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
