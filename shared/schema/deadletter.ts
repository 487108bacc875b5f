import { z } from 'zod';
import { STAGES } from '../vocabulary.js';

// The dead letter of DESIGN.md section 5: nothing is dropped silently.

export const DeadLetterSchema = z.object({
  '@timestamp': z.string(),
  error: z.object({ code: z.string(), message: z.string() }),
  hangwatch: z.object({
    stage: z.enum(STAGES),
    expected: z.array(z.string()).optional(),
    original: z.object({
      encoding: z.enum(['utf8', 'base64']),
      length: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      truncated: z.boolean(),
    }),
    grammar: z.string().optional(),
  }),
  event: z.object({ original: z.string(), id: z.string().optional(), dataset: z.string().optional() }),
  host: z.object({ name: z.string().optional() }).optional(),
  log: z.object({ file: z.object({ path: z.string().optional() }).optional(), offset: z.number().int().optional() }).optional(),
  kafka: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }).optional(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
