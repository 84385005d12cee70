import { exampleDocument } from '../src/server/http/examples.js';
import { cpuMs } from './proc.js';

// A 100-item holdCashouts against 100 single holdCashout calls (in a loop, and 8 at a time, the bulk's own bound):
// wall time per batch and the service's CPU per item. Called by bench/run.ts on the service under test.

export interface BulkFigures {
  items: number;
  rounds: number;
  bulk: { wallMs: number; cpuMsPerItem: number };
  singlesInALoop: { wallMs: number; cpuMsPerItem: number };
  singlesEightAtATime: { wallMs: number; cpuMsPerItem: number };
}

const BULK = exampleDocument('holdCashouts');
const SINGLE = exampleDocument('holdCashout');

export async function measureBulk(options: {
  url: string;
  token: string;
  pid: number;
  create: (count: number) => Promise<number[]>;
  items?: number;
  rounds?: number;
}): Promise<BulkFigures> {
  const items = options.items ?? 100;
  const rounds = options.rounds ?? 10;
  const post = async (query: string, variables: unknown, success: RegExp) => {
    const response = await fetch(`${options.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    const count = text.match(success)?.length ?? 0;
    if (count === 0) throw new Error(`bulk bench: unexpected answer ${text.slice(0, 200)}`);
    return count;
  };
  const ways = {
    bulk: async (ids: number[]) => {
      const held = await post(BULK, { input: { cashoutIds: ids.map(String) } }, /"HoldCashoutSuccess"/g);
      if (held !== ids.length) throw new Error(`bulk bench: ${held} of ${ids.length} held`);
    },
    singlesInALoop: async (ids: number[]) => {
      for (const id of ids) await post(SINGLE, { input: { cashoutId: String(id) } }, /"HoldCashoutSuccess"/g);
    },
    singlesEightAtATime: async (ids: number[]) => {
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const id = ids[next++] as number;
          await post(SINGLE, { input: { cashoutId: String(id) } }, /"HoldCashoutSuccess"/g);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    },
  };
  const totals = Object.fromEntries(Object.keys(ways).map((way) => [way, { wallMs: 0, cpuMs: 0 }])) as Record<
    keyof typeof ways,
    { wallMs: number; cpuMs: number }
  >;
  for (let round = -1; round < rounds; round++) {
    for (const [way, run] of Object.entries(ways) as [
      keyof typeof ways,
      (ids: number[]) => Promise<void>,
    ][]) {
      const ids = await options.create(items);
      const cpuBefore = cpuMs(options.pid);
      const started = performance.now();
      await run(ids);
      // Round -1 warms every path up (graphql-jit compiles each document on its first runs).
      if (round < 0) continue;
      totals[way].wallMs += performance.now() - started;
      totals[way].cpuMs += cpuMs(options.pid) - cpuBefore;
    }
  }
  const figures = (way: keyof typeof ways) => ({
    wallMs: totals[way].wallMs / rounds,
    cpuMsPerItem: totals[way].cpuMs / rounds / items,
  });
  return {
    items,
    rounds,
    bulk: figures('bulk'),
    singlesInALoop: figures('singlesInALoop'),
    singlesEightAtATime: figures('singlesEightAtATime'),
  };
}

export function bulkRow(figures: BulkFigures): string {
  const line = (name: string, f: { wallMs: number; cpuMsPerItem: number }) =>
    `  ${name.padEnd(34)} ${f.wallMs.toFixed(1).padStart(8)} ms per ${figures.items}   ${f.cpuMsPerItem.toFixed(3)} CPU ms per item`;
  return [
    `bulk: ${figures.items} holds, mean of ${figures.rounds} rounds (service process CPU, 10 ms clock ticks)`,
    line('holdCashouts, one request', figures.bulk),
    line('holdCashout x100, one at a time', figures.singlesInALoop),
    line('holdCashout x100, 8 at a time', figures.singlesEightAtATime),
  ].join('\n');
}
