import { ownEvents, round2, type DiagnosisRule } from './rule.js';

// libvirtd `qemuMigrationCheckJobStatus: operation failed: migration job: unexpectedly failed` for this domain.

export const migrationFailure: DiagnosisRule = {
  code: 'migration-failure',
  description: 'a migration of the domain failed in the window',
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
