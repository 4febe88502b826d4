// The script-size budgets of issue 12 on the built files (npm run build first): the core a page
// runs <= 8 KiB gzip, the service worker <= 4 KiB gzip (client/size.mjs).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUDGETS, sizes } from '../size.mjs';

describe('script sizes', () => {
  it('are built (npm run build)', () => {
    expect(existsSync(new URL('../dist/circlecdn.js', import.meta.url)), 'client/dist missing: npm run build').toBe(true);
  });
  for (const [name, budget] of Object.entries(BUDGETS))
    it(`${name} is at most ${budget} B gzip`, () => {
      expect(sizes()[name].gzip).toBeLessThanOrEqual(budget);
    });
});
