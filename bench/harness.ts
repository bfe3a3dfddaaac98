/** What a benchmark reports: each figure with its value, unit and target. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The figure must be at most (<=) or at least (>=) this value. */
  target?: { op: '<=' | '>='; value: number };
  note?: string;
}

export interface BenchContext {
  /** Reports progress on a long step: label and fraction done (0..1). */
  progress(label: string, fraction: number): void;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export function meets(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  return f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
