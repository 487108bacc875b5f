// Usage: node --import tsx scripts/with-stack.ts <command...>
// Runs a command against the local Kafka + Elasticsearch: uses a running stack and leaves it running, or starts
// one, runs the command with HANGWATCH_KAFKA_BROKERS / HANGWATCH_ES_URL set, and stops what it started (data
// kept), even when the command fails. Exits with the command's code.
import { spawn } from 'node:child_process';
import { reportFatal } from '../cli/main.js';
import { createStackContext, stackDown, stackUp, type StackContext } from '../infra/stack.js';

function progress(message: string): void {
  process.stderr.write(`with-stack: ${message}\n`);
}

function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(command as string, args, { stdio: 'inherit', env });
    // A Ctrl-C reaches the child through the terminal; we only stay alive to stop the stack afterwards.
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (error) => {
      progress(`cannot run ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 + signalNumber(signal) : 1));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write('usage: node --import tsx scripts/with-stack.ts <command...>\n');
    return 2;
  }
  const ctx: StackContext = createStackContext(progress);
  // Idempotent: on a running stack it starts nothing (and only checks topics and templates).
  const { started, status } = await stackUp(ctx);
  if (started.length === 0) progress(`using the running stack (${status.kafkaBrokers}, ${status.esUrl}); it stays up`);
  try {
    return await runCommand(argv, { ...process.env, HANGWATCH_KAFKA_BROKERS: status.kafkaBrokers, HANGWATCH_ES_URL: status.esUrl });
  } finally {
    if (started.length > 0) {
      progress(`stopping what with-stack started (${started.join(', ')}); data kept`);
      await stackDown(ctx, { purge: false, only: started });
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFatal(error);
  },
);
