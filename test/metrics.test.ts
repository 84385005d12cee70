import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

/** `name{labels} value` lines of one metric family. */
async function series(name: string): Promise<string[]> {
  const response = await fetch(`${service.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('/metrics', () => {
  it('has D24 latency by endpoint and outcome, results by field and type, and Yoga series, with bounded labels', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    await service.graphql(`mutation { holdCashout(input: { cashoutId: "${cashoutId}" }) { __typename } }`);
    service.sandbox.faults.next({ kind: 'code', code: 300, httpStatus: 400 });
    await service.graphql(`mutation { releaseCashout(input: { cashoutId: "${cashoutId}" }) { __typename } }`);
    await service.graphql(`{ cashout(cashoutId: "${cashoutId}") { __typename } }`);
    await service.graphql('mutation { holdCashout(input: { cashoutId: "abc" }) { __typename } }');

    const d24 = await series('d24_call_duration_seconds_count');
    expect(d24).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^d24_call_duration_seconds_count\{endpoint="updateStatus",outcome="ok"\} [1-9]/,
        ),
        expect.stringMatching(
          /^d24_call_duration_seconds_count\{endpoint="updateStatus",outcome="d24_error"\} [1-9]/,
        ),
        expect.stringMatching(/^d24_call_duration_seconds_count\{endpoint="status",outcome="ok"\} [1-9]/),
      ]),
    );
    expect(await series('d24_call_duration_seconds_bucket')).toContainEqual(
      expect.stringMatching(
        /le="\+Inf",endpoint="updateStatus",outcome="ok"\}|endpoint="updateStatus",outcome="ok",le="\+Inf"\}/,
      ),
    );

    expect(await series('graphql_results_total')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^graphql_results_total\{field="holdCashout",type="HoldCashoutSuccess"\} [1-9]/,
        ),
        expect.stringMatching(
          /^graphql_results_total\{field="releaseCashout",type="D24RequestError"\} [1-9]/,
        ),
        expect.stringMatching(/^graphql_results_total\{field="cashout",type="Cashout"\} [1-9]/),
        expect.stringMatching(/^graphql_results_total\{field="holdCashout",type="ValidationError"\} [1-9]/),
      ]),
    );

    const http = await series('graphql_yoga_http_duration_count');
    expect(http).toContainEqual(
      'graphql_yoga_http_duration_count{method="POST",statusCode="200",operationType="mutation"} 3',
    );
    expect(await series('graphql_envelop_phase_execute_count')).not.toEqual([]);
    expect(await series('process_cpu_seconds_total')).not.toEqual([]);

    // No label carries an id, a URL or a client-chosen name.
    const all = await (await fetch(`${service.url}/metrics`)).text();
    const labelValues = [...all.matchAll(/="([^"]*)"/g)].map((match) => match[1]);
    expect(labelValues).not.toContain(`${cashoutId}`);
    expect(all).not.toMatch(/\b(url|operationName|path)="/);
  });

  it('keeps each app in its own registry', async () => {
    const other = await startTestService();
    try {
      const text = await (await fetch(`${other.url}/metrics`)).text();
      expect(text).not.toMatch(/graphql_results_total\{/);
    } finally {
      await other.close();
    }
  });
});
