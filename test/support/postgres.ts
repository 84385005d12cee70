import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use: TEST_DATABASE_URL, or the local server. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  /** A `postgres://` URL whose connections use only this run's schema. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Whether PostgreSQL answers. Under CI=true an unreachable server is a failure (thrown); elsewhere the caller skips,
 * and this prints what to set.
 */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    const message = `PostgreSQL at TEST_DATABASE_URL (${redacted(TEST_DATABASE_URL)}) is unreachable: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(message);
    console.warn(`${message}. Skipping the PostgreSQL tests; set TEST_DATABASE_URL to run them.`);
    return false;
  }
}

/** A schema of its own for one test file or run (other engineers share the server), dropped after. */
export async function createTestSchema(prefix = 'ledger'): Promise<TestSchema> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema "${name}"`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${name}" cascade`);
      await client.end();
    },
  };
}

function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
