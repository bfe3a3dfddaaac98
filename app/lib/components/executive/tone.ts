/**
 * How a service level reads at a glance: good, watch or bad. Thresholds follow
 * common distribution targets (95 % fill / OTIF is good service, under 85 % hurts).
 */
export type Tone = 'ok' | 'warn' | 'bad' | 'none';

export function serviceTone(ratio: number | null | undefined): Tone {
  if (ratio === null || ratio === undefined) return 'none';
  if (ratio >= 0.95) return 'ok';
  if (ratio >= 0.85) return 'warn';
  return 'bad';
}

/** Chart colours that read on both themes (the base.css accents). */
export const CHART = {
  blue: '#58a6ff',
  green: '#3fb950',
  amber: '#d29922',
  orange: '#f0883e',
  red: '#f85149',
  grey: '#8b949e'
} as const;
