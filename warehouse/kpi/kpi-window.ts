import { chTime } from './clickhouse-query';

/**
 * Small pieces the KPIs share: how a window's instants travel as
 * ClickHouse parameters, and ratios that stay null over an empty population.
 */

/** The window [from, to) as query parameters {from:DateTime64(6, 'UTC')} and {to:DateTime64(6, 'UTC')}. */
export function windowParams(w: { from: string; to: string }): Record<string, string> {
  return { from: chTime(w.from), to: chTime(w.to) };
}

export const FROM = "{from:DateTime64(6, 'UTC')}";
export const TO = "{to:DateTime64(6, 'UTC')}";

/** numerator / denominator, or null when there is nothing to divide by. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Hours between two DateTime64 expressions, exact to the microsecond. */
export function hoursBetween(start: string, end: string): string {
  return `(toUnixTimestamp64Micro(${end}) - toUnixTimestamp64Micro(${start})) / 3600000000`;
}
