/**
 * Figures as the screens print them for the en-US locale the operation specs set
 * (test.use({ locale: 'en-US' })), so an assertion compares the page with the API.
 */
export const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A calendar day (YYYY-MM-DD) as the screens print it: a local date, so no zone moves it. */
export function day(d: string): string {
  const [y, m, dd] = d.split('-').map(Number);
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date(y!, m! - 1, dd!));
}
