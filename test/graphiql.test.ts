import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

describe('GraphiQL in development', () => {
  it('is served from the process, opening on the example operations with seeded variables', async () => {
    const response = await fetch(`${service.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).not.toMatch(/unpkg\.com|jsdelivr/);
    // The options object ends with the tabs, then the first tab's variables at the top level, which is where
    // GraphiQL shows them on load (graphql/graphiql#3392).
    const topLevel = `}],${JSON.stringify({ variables: '{"input": {"cashoutId": "1001"}}' }).slice(1, -1)}}`;
    expect(page).toContain(topLevel);
    for (const name of ['HoldCashout', 'ReleaseCashout', 'CancelCashout', 'Cashout']) {
      expect(page).toMatch(new RegExp(`(query|mutation) ${name}\\(`));
    }
    expect(page.indexOf('mutation HoldCashout(')).toBeLessThan(page.indexOf('mutation ReleaseCashout('));
  });
});
