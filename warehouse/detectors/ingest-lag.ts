import type { IngestProgress } from '../../schemas/ingest';
import type { DetectorThresholds } from '../../schemas/detector-thresholds';
import { subjects, type DetectorVerdict } from './detector';

/**
 * Ingest lag over the threshold, or an ingest that stopped: every board is then
 * older than it says it is live. Judged from the ingest's progress report, not
 * from ClickHouse (a stuck ingest lands nothing that could tell).
 */
export function ingestLagVerdict(p: IngestProgress, t: DetectorThresholds): DetectorVerdict {
  const subject = subjects.ingestSlot(p.slot);
  const since = p.lastCommitTime ? ` The warehouse holds changes up to ${p.lastCommitTime}.` : '';
  const findings =
    p.state === 'failed'
      ? [{ subject, severity: 'critical' as const, message: `The CDC ingest stopped: ${p.lastError ?? 'unknown error'}. Boards no longer update.${since}`, details: { state: p.state, lastError: p.lastError } }]
      : p.lagMs !== null && p.lagMs > t.ingestLagMs
        ? [
            {
              subject,
              severity: p.lagMs > t.ingestLagMs * 6 ? ('critical' as const) : ('warning' as const),
              message: `Boards are ${(p.lagMs / 1000).toFixed(1)} s behind the transactions (ingest lag over ${(t.ingestLagMs / 1000).toFixed(1)} s; ${p.state}).${since}`,
              details: { lagMs: p.lagMs, lagBytes: p.lagBytes, state: p.state }
            }
          ]
        : [];
  return { kind: 'ingest_lag', findings, evaluated: { subjects: [subject] } };
}
