import { ownEvents, round2, type DiagnosisRule } from './rule.js';

// libvirtd `qemuMigrationCheckJobStatus: operation failed: migration job: unexpectedly failed` for this domain
// (the line names no domain: it is placed by its thread or job owner, resolve-identity.ts). A failed migration is a
// precursor: the guest keeps running on the source and may hang well after it, so the rule looks back over the
// precursor span, not only the evidence window.

export const migrationFailure: DiagnosisRule = {
  code: 'migration-failure',
  description: 'a migration of the domain failed before the hang (precursor lookback)',
  lookback: 'precursor',
  evaluate(ctx) {
    const failed = ownEvents(ctx, 'migration-failed');
    if (failed.length === 0) return undefined;
    return {
      confidence: round2(0.45 + (failed.length > 1 ? 0.1 : 0)),
      summary: `${failed.length} migration(s) of ${ctx.domain} failed around the hang`,
      remediation: 'Check the migration target and network (libvirtd logs on both hosts); make sure the CPU model is migratable between the hosts (host-model or a common named model) and retry.',
    };
  },
};
