import { z } from 'zod';
import { DATASETS, DIAGNOSIS_CODES, EVENT_ACTIONS, INCIDENT_KINDS, TIME_BASES } from '../vocabulary.js';
import { BugcheckSchema, QemuSchema } from './event.js';

// The incident of DESIGN.md section 5: one guest hang with what explains it.

const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

export const DiagnosisSchema = z.object({
  code: z.enum(DIAGNOSIS_CODES),
  confidence: z.number().min(0).max(1),
  summary: z.string(),
  remediation: z.string(),
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;

export const EvidenceSchema = z.object({
  event: z.object({ id: z.string(), dataset: z.enum(DATASETS), action: z.enum(EVENT_ACTIONS) }),
  '@timestamp': isoInstant,
  message: z.string().optional(),
  // Extension: why this record is evidence and how strongly (rank order of incident.evidence is by time).
  relevance: z.number().min(0).max(1).optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const IncidentSchema = z.object({
  '@timestamp': isoInstant,
  event: z.object({ kind: z.literal('event'), dataset: z.literal('hangwatch.incident') }).optional(),
  incident: z.object({
    id: z.string().min(1),
    kind: z.enum(INCIDENT_KINDS),
    diagnosis: z.array(DiagnosisSchema),
    evidence: z.array(EvidenceSchema),
    window: z.object({ gte: isoInstant, lte: isoInstant }),
    clock: z.object({
      zone: z.string().optional(),
      offset_minutes: z.number().int().optional(),
      skew_ms: z.number().optional(),
      // Extension (issue 13): set when the guest's record times were corrected by the measured skew (ms subtracted).
      corrected_ms: z.number().optional(),
      basis: z.enum(TIME_BASES).optional(),
      // Extension: the hang time rests on a guest time that could not be right (hangwatch.time.suspect), so it was
      // dated by the ingest clock; no watermark follows it.
      suspect: z.boolean().optional(),
    }),
    config: z
      .object({
        seen: z.enum(['before', 'after']),
        qemu: QemuSchema.optional(),
        libvirt: z.object({ version: z.string().optional() }).optional(),
      })
      .optional(),
    // Extension: the signals that opened/refined it (event ids), for merge bookkeeping.
    signals: z.array(z.string()).optional(),
  }),
  libvirt: z.object({
    domain: z.object({ name: z.string().optional(), uuid: z.string().optional() }),
    hypervisor: z.string().optional(),
  }),
  windows: z.object({ bugcheck: BugcheckSchema.optional() }).optional(),
  message: z.string().optional(),
});
export type Incident = z.infer<typeof IncidentSchema>;

export function listIncidentProblems(value: unknown): string[] {
  const result = IncidentSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
