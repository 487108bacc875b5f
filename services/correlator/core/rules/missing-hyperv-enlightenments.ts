import { WATCHDOG_BUGCHECKS } from '../../../../shared/vocabulary.js';
import { round2, type DiagnosisRule, type RuleContext } from './rule.js';

// The seed's cause (DESIGN.md section 1): a Windows guest without Hyper-V enlightenments takes a descheduled vCPU
// for a hung processor and stops with CLOCK_WATCHDOG_TIMEOUT (0x101) or DPC_WATCHDOG_VIOLATION (0x133).
// `qemu.hyperv` comes from the effective (last) -cpu of the command line, as QEMU applies it.

/** The enlightenments that matter here, with the libvirt XML that turns each on (libvirt formatdomain "hyperv"). */
export const ENLIGHTENMENTS = [
  { name: 'relaxed', qemuFlag: 'hv_relaxed', xml: "<relaxed state='on'/>", weight: 0 },
  { name: 'vapic', qemuFlag: 'hv_vapic', xml: "<vapic state='on'/>", weight: 0.1 },
  { name: 'spinlocks', qemuFlag: 'hv_spinlocks', xml: "<spinlocks state='on' retries='8191'/>", weight: 0.1 },
  { name: 'time', qemuFlag: 'hv_time', xml: '', weight: 0.1 },
] as const;

const BASE_CONFIDENCE = 0.6;
/** A watchdog bugcheck with no configuration seen: still the most common cause on KVM, but unconfirmed. */
const UNSEEN_CONFIG_CONFIDENCE = 0.3;

export const missingHypervEnlightenments: DiagnosisRule = {
  code: 'missing-hyperv-enlightenments',
  description: 'watchdog bugcheck (0x101/0x133) on a guest whose effective -cpu lacks hv_relaxed',
  evaluate(ctx: RuleContext) {
    const code = ctx.bugcheck?.code;
    if (!code || !(WATCHDOG_BUGCHECKS as readonly string[]).includes(code)) return undefined;
    const label = `${code}${ctx.bugcheck?.name ? ` ${ctx.bugcheck.name}` : ''}`;
    if (!ctx.config?.qemu) {
      return {
        confidence: UNSEEN_CONFIG_CONFIDENCE,
        summary: `${label} on ${ctx.domain}; its qemu command line was not seen, so Hyper-V enlightenments could not be checked`,
        remediation: `Check the domain XML (virsh dumpxml ${ctx.domain}) for <features><hyperv><relaxed state='on'/>...</hyperv></features>; without hv_relaxed Windows treats a descheduled vCPU as a hung processor.`,
      };
    }
    const present = new Set((ctx.config.qemu.hyperv ?? []).map((h) => h.toLowerCase().replace(/^hv[_-]/, '').replace(/=.*$/, '')));
    if (present.has('relaxed')) return undefined;
    const missing = ENLIGHTENMENTS.filter((e) => !present.has(e.name));
    const confidence = round2(BASE_CONFIDENCE + missing.reduce((sum, e) => sum + e.weight, 0));
    const hypervXml = missing.filter((e) => e.xml).map((e) => e.xml).join('');
    const clockOffset = ctx.config.qemu.rtc?.base === 'localtime' ? 'localtime' : 'utc';
    const clockXml = missing.some((e) => e.name === 'time') ? ` and <clock offset='${clockOffset}'><timer name='hypervclock' present='yes'/></clock>` : '';
    return {
      confidence,
      summary: `${label}: ${ctx.domain}'s CPU (${ctx.config.qemu.cpu?.model ?? 'unknown model'}) lacks Hyper-V enlightenments ${missing.map((e) => e.qemuFlag).join(', ')} (config seen ${ctx.config.seen} the hang)`,
      remediation: `Add to the domain XML (virsh edit ${ctx.domain}): <features><hyperv>${hypervXml}</hyperv></features>${clockXml}; then shut the guest down and start it again (a reboot inside the guest keeps the old qemu command line). A <qemu:commandline> -cpu override must carry the same hv_ flags, since QEMU uses the last -cpu.`,
    };
  },
};
