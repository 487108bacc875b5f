import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { HangwatchError } from '../../shared/errors.js';
import { readAuditInputs } from '../../services/audit/adapters/read-audit-inputs.js';
import { indexAuditFindings } from '../../services/audit/adapters/audit-index.js';
import { produceAuditFindings } from '../../services/audit/adapters/audit-kafka.js';
import { TOPICS } from '../../shared/topics.js';
import { auditDomains } from '../../services/audit/core/audit-domains.js';
import { renderAuditTable } from '../../services/audit/core/render-table.js';
import { parseCommandArgs } from '../args.js';
import { showControls } from '../../shared/text/visible-controls.js';

// `hangwatch audit`: every Windows domain that lacks the Hyper-V enlightenments (or the RTC catch-up policy) that
// keep a descheduled vCPU from becoming a CLOCK_WATCHDOG_TIMEOUT, with the exact XML to add (issue 15).

const HELP = `Usage: hangwatch audit [--format table|json] [--host NAME] [--inventory FILE] [--es] [--kafka [--topic NAME]] [PATH...]

Reads libvirt domain XML (virsh dumpxml output, /etc/libvirt/qemu/*.xml), qemu logs (their command lines) and
guests/<domain>/ folders of Windows artefacts, decides which domains run Windows, and reports for each what is
missing of hv_relaxed, hv_spinlocks, hv_vapic, hv_time (hypervclock) and rtc tickpolicy='catchup', with the XML.

  PATH              files or folders (default: /etc/libvirt/qemu /var/log/libvirt/qemu)
  --format          table (default) or json (an array of findings, one per Windows domain)
  --host NAME       hypervisor of files whose path names none (default: this machine's hostname)
  --inventory FILE  JSON array of {domain, hypervisor?, computerName?, os?}: a computerName or os "windows" marks Windows
  --es              also index the findings into hangwatch-audit (HANGWATCH_ES_URL, credentials from the environment)
  --kafka           also produce the findings to the audit topic (HANGWATCH_KAFKA_BROKERS), key hypervisor/domain:
                    the alerter's exposure rules (rules/exposed-windows-domain.yml) alert on exposed domains that
                    never hung, and close when a later audit finds the domain fixed
  --topic NAME      the audit topic (default ${TOPICS.audit})

Findings go to stdout, the summary and skipped files to stderr. Exit 0 when the audit ran (exposed domains are
findings, not errors); 1 when input could not be read or Elasticsearch or Kafka could not be reached; 2 usage error.
`;

function readInventory(path: string): Array<{ domain: string; hypervisor?: string; computerName?: string; os?: string }> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - --inventory ${path}: ${(error as Error).message}`]);
  }
  if (!Array.isArray(value) || !value.every((e) => e && typeof e === 'object' && typeof (e as { domain?: unknown }).domain === 'string')) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - --inventory ${path}: expected a JSON array of {domain, hypervisor?, computerName?, os?}`]);
  }
  return value as Array<{ domain: string }>;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { format: { type: 'string', short: 'f' }, host: { type: 'string' }, inventory: { type: 'string' }, es: { type: 'boolean' }, kafka: { type: 'boolean' }, topic: { type: 'string' } }, HELP);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const v = args.values as { format?: string; host?: string; inventory?: string; es?: boolean; kafka?: boolean; topic?: string };
  const format = v.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new HangwatchError('HW_USAGE', [`--format must be table or json, got ${format}\n\n${HELP}`]);
  if (v.topic !== undefined && !v.kafka) throw new HangwatchError('HW_USAGE', [`--topic goes with --kafka\n\n${HELP}`]);
  const paths = args.positionals.length > 0 ? args.positionals : ['/etc/libvirt/qemu', '/var/log/libvirt/qemu'];
  const nowMs = Date.now();
  const inputs = await readAuditInputs(paths, {
    host: v.host ?? hostname(),
    created: new Date(nowMs).toISOString(),
    ...(v.inventory ? { inventory: readInventory(v.inventory) } : {}),
  });
  for (const s of inputs.skipped) process.stderr.write(`hangwatch audit: skipped ${s.path}: ${s.reason}\n`);
  const findings = auditDomains(inputs.configs, inputs.hints, nowMs);
  process.stdout.write(format === 'json' ? `${JSON.stringify(findings, null, 2)}\n` : showControls(renderAuditTable(findings)));
  const domains = new Set(inputs.configs.map((c) => `${c.hypervisor ?? ''}/${c.name}`)).size;
  const exposed = findings.filter((f) => f.audit.status === 'exposed').length;
  process.stderr.write(`hangwatch audit: ${inputs.filesRead} file(s), ${domains} domain(s), ${findings.length} Windows, ${exposed} exposed\n`);
  if (v.es) {
    const config = loadConfig('', COMMON_SCHEMA, process.env);
    const es = createElasticsearch(config);
    try {
      const n = await indexAuditFindings(es, findings, config.ES_URL);
      process.stderr.write(`hangwatch audit: indexed ${n} finding(s) into hangwatch-audit\n`);
    } finally {
      await es.close();
    }
  }
  if (v.kafka) {
    const config = loadConfig('', COMMON_SCHEMA, process.env);
    const topic = v.topic ?? TOPICS.audit;
    const n = await produceAuditFindings(createKafka(config, 'audit'), topic, findings, config.KAFKA_BROKERS.join(','));
    process.stderr.write(`hangwatch audit: produced ${n} finding(s) to ${topic}\n`);
  }
  return 0;
}
