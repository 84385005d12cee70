import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { D24Client } from '../src/d24/client.js';
import { createApp } from '../src/server/app.js';
import { createAudit } from '../src/server/observability/audit.js';
import { memoryLedger } from './support/ledger.js';
import { OPERATIONS } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';

describe("createApp's plugins", () => {
  it('each declare what the hot path does about them, and Yoga runs exactly those', async () => {
    const logger = pino({ level: 'silent' });
    const app = createApp(loadConfig({ NODE_ENV: 'test', AUTH_DISABLED: 'true' }), {
      d24: {} as D24Client,
      ledger: await memoryLedger(),
      logger,
      audit: createAudit({ logger }),
    });
    for (const stage of app.stages) {
      expect(['performs', 'yoga-only'], `${stage.name} declares no hot-path behaviour`).toContain(
        stage.hotPath,
      );
    }
    // A plugin handed to Yoga without a stage (and so without a declaration) would be missing here.
    // Yoga's whole plugin list (its own, then ours, then what plugins add), protected in its typings: read here only,
    // by a test pinned to the Yoga version (test/mirrored-versions.test.ts).
    const enveloped = (app.yoga as unknown as { plugins: unknown[] }).plugins;
    for (const stage of app.stages)
      expect(enveloped, `${stage.name} is not in Yoga's plugins`).toContain(stage.plugin);
    const order = app.stages.map((stage) => enveloped.indexOf(stage.plugin));
    expect(order, 'Yoga runs the stages in their declared order').toEqual([...order].sort((x, y) => x - y));
    // Yoga inserts the plugins a plugin adds right after it, so its list cannot tell those from an undeclared one:
    // createApp's source must hand Yoga the declared stages and nothing else.
    const source = readFileSync(new URL('../src/server/app.ts', import.meta.url), 'utf8');
    expect(
      source.match(/\bplugins:/g),
      'createApp gives Yoga plugins outside its declared stages',
    ).toHaveLength(1);
    expect(source).toContain('plugins: stages.map((stage) => stage.plugin),');
  });
});

describe('HOT_PATH=off', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ HOT_PATH: 'off' });
  });
  afterAll(() => service?.close());

  it('has Yoga answer a document however often it comes', async () => {
    await service.app.hotPath.ready;
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: OPERATIONS.cashout, variables: { cashoutId: '1008' } }),
      });
      expect(response.status).toBe(200);
      answers.push(await response.text());
    }
    expect(service.app.hotPath.served()).toBe(0);
    expect(new Set(answers).size).toBe(1);
  });
});
