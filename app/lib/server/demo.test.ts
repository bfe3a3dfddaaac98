import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { IngestProgress } from '../../../schemas/ingest';
import { startLiveWhenStreaming, type RunningDemo } from './demo';
import type { IngestLink } from './ingest/ingest-link';

/** The demo's live operations wait for the ingest to stream, but not for ever. */
function fixture(initial: IngestProgress['state'] | null) {
  const listeners: ((p: IngestProgress) => void)[] = [];
  const ingest = {
    progress: () => (initial ? ({ state: initial } as IngestProgress) : null),
    onProgress: (l: (p: IngestProgress) => void) => void listeners.push(l)
  } as unknown as IngestLink;
  const demo = { startLive: vi.fn() } as unknown as RunningDemo & { startLive: ReturnType<typeof vi.fn> };
  const report = (state: IngestProgress['state']) => listeners.forEach((l) => l({ state } as IngestProgress));
  return { ingest, demo, report };
}
const log = pino({ level: 'silent' });

describe('startLiveWhenStreaming', () => {
  it('starts the live operations when the ingest streams, once, and not while it backfills', () => {
    const { ingest, demo, report } = fixture('backfilling');
    startLiveWhenStreaming(demo, ingest, log, 60_000);
    report('backfilling');
    expect(demo.startLive).not.toHaveBeenCalled();
    report('streaming');
    report('streaming');
    expect(demo.startLive).toHaveBeenCalledTimes(1);
  });

  it('starts at once when the ingest streams already', () => {
    const { ingest, demo } = fixture('streaming');
    startLiveWhenStreaming(demo, ingest, log, 60_000);
    expect(demo.startLive).toHaveBeenCalledTimes(1);
  });

  it('does not wait for ever for an ingest that never says it streams', () => {
    vi.useFakeTimers();
    try {
      const { ingest, demo, report } = fixture(null);
      startLiveWhenStreaming(demo, ingest, log, 60_000);
      vi.advanceTimersByTime(59_000);
      expect(demo.startLive).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1_000);
      expect(demo.startLive).toHaveBeenCalledTimes(1);
      report('streaming');
      expect(demo.startLive).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
