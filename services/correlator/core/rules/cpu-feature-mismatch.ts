import { ownEvents, round2, type DiagnosisRule } from './rule.js';

// `warning: host doesn't support requested feature: CPUID.01H:EDX.ds [bit 21]` after a migration: the guest was
// started with CPU flags the host lacks. Usually harmless (the seed's author said so), hence a low confidence.

export const cpuFeatureMismatch: DiagnosisRule = {
  code: 'cpu-feature-mismatch',
  description: 'cpu-feature-unsupported warnings for the domain after a migration in the window',
  evaluate(ctx) {
    const warnings = ownEvents(ctx, 'cpu-feature-unsupported');
    if (warnings.length === 0) return undefined;
    const migrations = ctx.events.filter((e) => e.event.action === 'migration-failed' && (!e.libvirt?.domain?.name || e.libvirt.domain.name === ctx.domain));
    const firstWarning = Math.min(...warnings.map((e) => Date.parse(e['@timestamp'])));
    if (!migrations.some((e) => Date.parse(e['@timestamp']) <= firstWarning)) return undefined;
    const features = [...new Set(warnings.map((e) => e.qemu?.cpuid?.feature).filter((f): f is string => !!f))].sort();
    return {
      confidence: round2(0.3),
      summary: `${ctx.domain} runs with ${features.length || warnings.length} CPU feature(s) its host lacks${features.length ? ` (${features.slice(0, 8).join(', ')})` : ''} after a migration`,
      remediation: "Use a CPU model every host supports (<cpu mode='host-model'/> or a common named model without the extra +flags) so migrated guests see the same CPU.",
    };
  },
};
