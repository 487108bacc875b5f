import { z } from 'zod';
import { ALERT_STATES } from '../vocabulary.js';

// The alert episode of DESIGN.md section 5 ("Alerts and dead letters").

const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

export const AlertSchema = z.object({
  '@timestamp': isoInstant,
  event: z.object({ kind: z.literal('alert') }),
  rule: z.object({ id: z.string(), name: z.string() }),
  alert: z.object({
    id: z.string(),
    key: z.string(),
    state: z.enum(ALERT_STATES),
    count: z.number().int().nonnegative(),
    first_seen: isoInstant,
    last_seen: isoInstant,
    incidents: z.array(z.string()),
    /** Exposure rules: audit.id of the domain's finding (its _id in hangwatch-audit); incidents is then empty. */
    findings: z.array(z.string()).optional(),
  }),
  message: z.string(),
  hangwatch: z.object({ links: z.object({ timeline: z.string().optional(), kibana: z.string().optional() }) }).optional(),
});
export type Alert = z.infer<typeof AlertSchema>;
