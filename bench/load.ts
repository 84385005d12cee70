import autocannon from 'autocannon';

/** How one target is driven: each connection gets its own cashout and alternates two requests on it. */
export interface LoadTarget {
  name: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  /** The two request bodies for one cashout: the first puts it on hold, the second releases it. */
  bodies(cashoutId: number): [hold: string, release: string];
  /** True when the answer is the success we asked for. */
  isSuccess(body: string): boolean;
}

export interface LoadRun {
  answers: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  errors: { transport: number; timeouts: number; non2xx: number; notSuccess: number };
}

/** One bounded autocannon run at `connections` concurrency, each connection on its own PENDING cashout. */
export function runLoad(
  target: LoadTarget,
  cashoutIds: readonly number[],
  options: { connections: number; seconds: number },
): Promise<LoadRun> {
  if (cashoutIds.length < options.connections) throw new Error('one cashout per connection is needed');
  const latencies: number[] = [];
  let nextClient = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${target.url}${target.path}`,
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
        method: 'POST',
        headers: target.headers,
        setupClient: (client) => {
          const [hold, release] = target.bodies(cashoutIds[nextClient++ % cashoutIds.length] as number);
          client.setRequests([
            { method: 'POST', path: target.path, headers: target.headers, body: hold },
            { method: 'POST', path: target.path, headers: target.headers, body: release },
          ]);
        },
        verifyBody: (body) => target.isSuccess(String(body)),
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        resolve({
          answers: latencies.length,
          seconds: result.duration,
          requestsPerSecond: latencies.length / result.duration,
          latencyMs: {
            p50: percentile(latencies, 0.5),
            p99: percentile(latencies, 0.99),
            max: latencies.at(-1) ?? Number.NaN,
          },
          errors: {
            transport: result.errors - result.timeouts,
            timeouts: result.timeouts,
            non2xx: result.non2xx,
            notSuccess: result.mismatches,
          },
        });
      },
    );
    // autocannon's own histogram keeps whole milliseconds; these are hrtime-precise.
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      latencies.push(ms);
    });
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}
