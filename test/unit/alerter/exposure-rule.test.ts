import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { alertId } from '../../../shared/identity.js';
import { AlertSchema, type Alert } from '../../../shared/schema/alert.js';
import { loadRules } from '../../../services/alerter/adapters/rules-fs.js';
import { evaluateAuditOffline, evaluateRulesOffline } from '../../../services/alerter/core/evaluate-offline.js';
import { ExposureEngine } from '../../../services/alerter/core/exposure.js';
import { parseRulesText, RuleInvalidError } from '../../../services/alerter/core/rule-parse.js';
import { readAuditInputs } from '../../../services/audit/adapters/read-audit-inputs.js';
import { auditDomains } from '../../../services/audit/core/audit-domains.js';
import type { AuditCheck, AuditFinding } from '../../../services/audit/core/audit-finding.js';
import { auditRecordKey, parseAuditRecord } from '../../../services/audit/core/audit-record.js';
import { at, makeIncident, minutesOf } from './helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');
const shipped = loadRules(join(root, 'rules'));
const RULE = 'exposed-windows-domain';
const exposureRules = shipped.filter((r) => r.id === RULE);

interface FindingSpec {
  readonly minute: number;
  readonly status: AuditFinding['audit']['status'];
  readonly host?: string;
  readonly domain?: string;
}

const MISSING: Record<AuditFinding['audit']['status'], AuditCheck[]> = { exposed: ['relaxed', 'spinlocks', 'vapic', 'time'], partial: ['time'], ok: [] };
const REMEDIATION: Record<AuditFinding['audit']['status'], string | undefined> = {
  exposed: "inside <features>: <hyperv><relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/></hyperv>\ninside <clock offset='localtime'>: <timer name='hypervclock' present='yes'/>",
  partial: "inside <clock offset='localtime'>: <timer name='hypervclock' present='yes'/>",
  ok: undefined,
};

/** A finding as auditDomains writes it (audit.id names the domain; a new run only changes the time and status). */
function finding(spec: FindingSpec): AuditFinding {
  const host = spec.host ?? 'sc7';
  const domain = spec.domain ?? 'vm105';
  const id = `audit-${host}-${domain}`;
  const remediation = REMEDIATION[spec.status];
  return {
    '@timestamp': at(spec.minute),
    event: { id, kind: 'state', category: ['configuration'], type: ['info'], dataset: 'hangwatch.audit', action: 'domain-audit' },
    message: `${domain} on ${host}: Windows guest`,
    libvirt: { domain: { name: domain }, hypervisor: host },
    audit: {
      id,
      status: spec.status,
      windows: { certainty: 'known', reasons: ['libosinfo'] },
      missing: MISSING[spec.status],
      problems: [],
      ...(remediation ? { remediation } : {}),
      source: { kind: 'domain-xml', path: `/etc/libvirt/qemu/${domain}.xml` },
    },
  };
}

/** key state@minute [findings]: the exact sequence, compactly. */
function summarize(alerts: readonly Alert[]): string[] {
  return alerts.map((a) => `${a.alert.key} ${a.alert.state}@${minutesOf(a['@timestamp'])} first=${minutesOf(a.alert.first_seen)} last=${minutesOf(a.alert.last_seen)}`);
}

function applyAll(engine: ExposureEngine, specs: readonly FindingSpec[]): Alert[] {
  return specs.flatMap((s) => engine.apply(finding(s)).alerts);
}

test('exposed opens, the same finding again is nothing, a later ok closes, exposed again is a new episode', () => {
  const engine = new ExposureEngine(exposureRules);
  const alerts = applyAll(engine, [
    { minute: 0, status: 'exposed' },
    { minute: 0, status: 'exposed' }, // the same finding delivered twice
    { minute: 60, status: 'exposed' }, // the next audit run: still exposed
    { minute: 120, status: 'ok' },
    { minute: 180, status: 'ok' },
    { minute: 240, status: 'exposed' }, // the XML was reverted
  ]);
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@0 first=0 last=0', 'sc7/vm105 closed@120 first=0 last=60', 'sc7/vm105 open@240 first=240 last=240']);
  const [open, closed, reopened] = alerts as [Alert, Alert, Alert];
  assert.equal(open.alert.id, alertId(RULE, 'sc7/vm105', `audit-sc7-vm105@${at(0)}`));
  assert.equal(closed.alert.id, open.alert.id);
  assert.notEqual(reopened.alert.id, open.alert.id);
  assert.deepEqual(open.alert.incidents, []);
  assert.deepEqual(open.alert.findings, ['audit-sc7-vm105']);
  assert.equal(open.alert.count, 1);
  for (const a of alerts) assert.deepEqual(AlertSchema.parse(a), a);
  assert.equal(
    open.message,
    'vm105 on sc7 runs Windows without relaxed, spinlocks, vapic, time (exposed to CLOCK_WATCHDOG_TIMEOUT, not hung yet); ' +
      "add inside <features>: <hyperv><relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/></hyperv>; " +
      "inside <clock offset='localtime'>: <timer name='hypervclock' present='yes'/> (config /etc/libvirt/qemu/vm105.xml)",
  );
  assert.equal(closed.message, `closed: Windows domain exposed to watchdog bugchecks (audit) for sc7/vm105: the audit of ${at(120)} finds it ok (nothing missing)`);
  assert.equal(engine.openEpisodeCount(), 1);
});

test('partial (hv_relaxed present, hv_time missing) closes the shipped rule; ok or partial never opens it', () => {
  const alerts = applyAll(new ExposureEngine(exposureRules), [
    { minute: 0, status: 'partial', domain: 'win7' },
    { minute: 0, status: 'exposed' },
    { minute: 30, status: 'partial' },
    { minute: 30, status: 'ok', domain: 'win7' },
  ]);
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@0 first=0 last=0', 'sc7/vm105 closed@30 first=0 last=0']);
  assert.match(alerts[1]?.message ?? '', /finds it partial \(still missing time\)$/);
});

test('an older finding than the last applied for its domain is ignored and reported stale; keys are independent', () => {
  const engine = new ExposureEngine(exposureRules);
  assert.deepEqual(engine.apply(finding({ minute: 120, status: 'ok' })), { alerts: [], stale: false });
  assert.deepEqual(engine.apply(finding({ minute: 60, status: 'exposed' })), { alerts: [], stale: true });
  const other = engine.apply(finding({ minute: 60, status: 'exposed', host: 'sc8' }));
  assert.deepEqual(summarize(other.alerts), ['sc8/vm105 open@60 first=60 last=60']);
  assert.equal(other.stale, false);
});

test('never-hung domains: the real audit of libvirt XML fixtures alerts on each exposed domain, with no incident at all', async () => {
  const inputs = await readAuditInputs([join(root, 'test', 'fixtures', 'domain-xml')], { host: 'sc7', created: '2026-05-01T00:00:00.000Z' });
  const findings = auditDomains(inputs.configs, inputs.hints, Date.parse('2026-05-01T00:00:00Z'));
  assert.deepEqual(evaluateRulesOffline([], shipped), []);
  const alerts = evaluateAuditOffline(findings, shipped);
  assert.deepEqual(
    alerts.map((a) => `${a.rule.id} ${a.alert.key} ${a.alert.state}`),
    ['exposed-windows-domain sc7/vm113 open', 'exposed-windows-domain sc7/win11-gaming open', 'exposed-windows-domain sc7/win2k16-sql open'],
  );
  for (const alert of alerts) {
    const f = findings.find((x) => auditRecordKey(x) === alert.alert.key)!;
    assert.deepEqual(alert.alert.findings, [f.audit.id]);
    assert.ok(alert.message.includes(`runs Windows without ${f.audit.missing.join(', ')}`), alert.message);
    // The exact XML of the finding, its lines joined into one message line.
    assert.ok(alert.message.includes((f.audit.remediation ?? '').split('\n')[0] ?? '-'), alert.message);
  }
  // A second run after win11-gaming was fixed: closed; the others are unchanged, so nothing new for them.
  const later = findings.map((f) => ({ ...f, '@timestamp': '2026-05-02T00:00:00.000Z', audit: f.libvirt.domain.name === 'win11-gaming' ? { ...f.audit, status: 'ok' as const, missing: [] } : f.audit }));
  assert.deepEqual(
    evaluateAuditOffline([...later, ...findings], shipped).map((a) => `${a.alert.key} ${a.alert.state} ${a['@timestamp']}`),
    ['sc7/vm113 open 2026-05-01T00:00:00.000Z', 'sc7/win11-gaming open 2026-05-01T00:00:00.000Z', 'sc7/win2k16-sql open 2026-05-01T00:00:00.000Z', 'sc7/win11-gaming closed 2026-05-02T00:00:00.000Z'],
  );
});

test('a domain with an incident-based exposure alert also gets the audit one, by design (two rules, two ids)', () => {
  const fromIncidents = evaluateRulesOffline([makeIncident({ id: 'hang-1', minute: 10, hyperv: ['vapic'] })], shipped);
  const fromAudit = evaluateAuditOffline([finding({ minute: 0, status: 'exposed' })], shipped);
  assert.deepEqual(
    [...fromAudit, ...fromIncidents].map((a) => `${a.rule.id} ${a.alert.key} ${a.alert.state}`),
    ['exposed-windows-domain sc7/vm105 open', 'missing-enlightenments-exposure sc7/vm105 open'],
  );
  assert.notEqual(fromAudit[0]?.alert.id, fromIncidents[0]?.alert.id);
});

test('restart: seeded from the alerts topic, a replay of the compacted audit topic neither re-opens nor loses the episode', () => {
  const history: FindingSpec[] = [
    { minute: 0, status: 'exposed' },
    { minute: 60, status: 'exposed' },
    { minute: 0, status: 'exposed', domain: 'vm2' },
    { minute: 30, status: 'ok', domain: 'vm2' },
  ];
  const before = new ExposureEngine(exposureRules);
  const ledger = applyAll(before, history);
  const expectedClose = before.apply(finding({ minute: 120, status: 'ok' })).alerts;

  // Compaction kept only the latest finding per domain: vm105's opening finding is gone.
  const compacted = new ExposureEngine(exposureRules);
  for (const alert of [...ledger].reverse()) compacted.seed(alert); // ledger partitions arrive in any order
  assert.deepEqual(applyAll(compacted, [{ minute: 60, status: 'exposed' }, { minute: 30, status: 'ok', domain: 'vm2' }]), []);
  assert.deepEqual(compacted.apply(finding({ minute: 120, status: 'ok' })).alerts, expectedClose);

  // Not compacted yet: the whole history replays, still nothing new.
  const full = new ExposureEngine(exposureRules);
  for (const alert of ledger) full.seed(alert);
  assert.deepEqual(applyAll(full, history), []);
  assert.deepEqual(full.apply(finding({ minute: 120, status: 'ok' })).alerts, expectedClose);

  // Without the ledger the same history derives the same alerts (deterministic ids).
  assert.deepEqual(applyAll(new ExposureEngine(exposureRules), history), ledger);
});

test('findings on the wire: parsed back, non-findings refused, keyed by hypervisor/domain', () => {
  const f = finding({ minute: 0, status: 'exposed' });
  assert.deepEqual(parseAuditRecord(JSON.stringify(f)), f);
  assert.equal(parseAuditRecord('{"incident":{"id":"x"}}'), undefined);
  assert.equal(parseAuditRecord('not json'), undefined);
  assert.equal(auditRecordKey(f), 'sc7/vm105');
});

test('exposure rule files: where and group_by required; window, quiet_period, throttle refused with file:line', () => {
  const bad = `id: x\nname: X\ntype: exposure\nwindow: 1h\nquiet_period: 1d\nthrottle: 1h\n`;
  assert.throws(
    () => parseRulesText(bad, 'rules/x.yml'),
    (error: unknown) =>
      error instanceof RuleInvalidError &&
      JSON.stringify(error.problems.map((p) => `${p.line}: ${p.message.split(' (')[0]}`)) ===
        JSON.stringify([
          '4: window has no meaning for an exposure rule',
          '5: quiet_period has no meaning for an exposure rule',
          '6: throttle has no meaning for an exposure rule',
          '1: an exposure rule needs where',
          '1: an exposure rule needs group_by',
        ]),
  );
  const [rule] = parseRulesText(`id: y\nname: Y\ntype: exposure\nwhere:\n  - field: audit.status\n    in: [exposed, partial]\ngroup_by: [libvirt.hypervisor, libvirt.domain.name]\n`, 'rules/y.yml');
  assert.equal(rule?.type, 'exposure');
  // With partial counted as exposure, partial keeps the episode open and only ok closes it.
  const alerts = applyAll(new ExposureEngine([rule!]), [
    { minute: 0, status: 'exposed' },
    { minute: 10, status: 'partial' },
    { minute: 20, status: 'ok' },
  ]);
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@0 first=0 last=0', 'sc7/vm105 closed@20 first=0 last=10']);
});
