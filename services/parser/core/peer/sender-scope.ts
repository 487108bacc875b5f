import type { IdentityConflict } from '../../../../shared/schema/event.js';
import type { GuestDirectory } from './guest-directory.js';

// What a Winlogbeat sender may speak for. Winlogbeat runs inside the guest, so everything in its documents (the
// computer name, the MAC, the times) is the guest's claim: without a binding, a document carrying vm113's MAC
// lands on vm113 whoever wrote it. Kafka does not tell a consumer who produced a message (neither the client id
// nor the SASL principal reaches it), so the binding is the topic: each Winlogbeat sender gets a principal that
// the broker's ACLs allow to write to its own topic only, and `HANGWATCH_PARSER_WINLOGBEAT_SENDERS` says what that
// topic speaks for, one hypervisor's guests (`topic=sc7`) or one domain (`topic=sc7/vm105`). A document from a bound
// topic always lands on that hypervisor (and domain, with attribution `sender`); a MAC that places it elsewhere is
// kept as `hangwatch.identity.conflict` and never followed. Unbound topics are read as before.

export interface SenderScope {
  readonly hypervisor: string;
  /** Absent: any guest of the hypervisor. */
  readonly domain?: string;
}

/** Where a bound document goes, and the claim of its own that pointed elsewhere. */
export interface SenderPlacement {
  readonly hypervisor: string;
  readonly domain?: string;
  readonly conflict?: IdentityConflict;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `sc7` or `sc7/vm105`; undefined when it is neither. */
export function parseSenderScope(text: string): SenderScope | undefined {
  const [hypervisor, domain, ...rest] = text.trim().split('/');
  if (rest.length > 0 || hypervisor === undefined || !NAME.test(hypervisor)) return undefined;
  if (domain === undefined) return { hypervisor };
  return NAME.test(domain) ? { hypervisor, domain } : undefined;
}

/**
 * The placement of a document from a bound topic: the scope's hypervisor (and domain); the first of its MACs that
 * the directory places outside the scope is the conflicting claim.
 */
export function placeBySender(scope: SenderScope, macs: readonly string[], atMs: number, directory: GuestDirectory): SenderPlacement {
  const base = { hypervisor: scope.hypervisor, ...(scope.domain !== undefined ? { domain: scope.domain } : {}) };
  for (const mac of macs) {
    const placed = directory.place([mac], atMs);
    if (!placed) continue;
    if (placed.hypervisor === scope.hypervisor && (scope.domain === undefined || placed.domain === scope.domain)) return base;
    const claimed = placed.hypervisor === scope.hypervisor ? placed.domain : `${placed.hypervisor}/${placed.domain}`;
    return { ...base, conflict: { claimed, via: 'mac', claim: mac } };
  }
  return base;
}
