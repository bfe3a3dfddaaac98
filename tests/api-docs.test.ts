import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderApiDocs } from '../scripts/api-docs';

it('docs/api.md documents the router as it is (npm run docs:api)', () => {
  const fresh = renderApiDocs();
  expect(fresh).toContain('## orders.confirm');
  expect(readFileSync('docs/api.md', 'utf8')).toBe(fresh);
}, 60_000);
