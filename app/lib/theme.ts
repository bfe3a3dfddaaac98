/** The colour theme, chosen in the header and kept in a cookie so the first paint has it. */
export const THEME_COOKIE = 'opstower_theme';
export type Theme = 'dark' | 'light';
export const themeOf = (cookie: string | undefined): Theme => (cookie === 'light' ? 'light' : 'dark');
