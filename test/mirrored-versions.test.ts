import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };

// The hot path (src/server/hot-path/) answers as Yoga and these plugins answer, written against these exact
// versions. A different one installed means the hot path may no longer match: re-run test/hot-path.test.ts,
// test/fuzz.test.ts and test/fuzz-paths.test.ts against it, then move the pins in package.json and here together.
const MIRRORED = {
  'graphql-yoga': '5.24.1',
  '@graphql-yoga/plugin-prometheus': '6.19.1',
  '@graphql-yoga/plugin-persisted-operations': '3.24.1',
  '@graphql-yoga/plugin-csrf-prevention': '3.24.1',
} as const;
// Installed by one of the above within a range (so pinned by package-lock.json only): checked installed, not pinned.
const MIRRORED_TRANSITIVELY = {
  // The execute phase's labels (src/server/hot-path/yoga-mirror.ts phaseOperationType).
  '@envelop/prometheus': '14.2.1',
} as const;

const require = createRequire(import.meta.url);

function installedVersion(name: string): string {
  const entry = require.resolve(name);
  const root = entry.slice(0, entry.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length);
  return (require(`${root}package.json`) as { version: string }).version;
}

describe('packages the hot path mirrors', () => {
  it.each(Object.entries({ ...MIRRORED, ...MIRRORED_TRANSITIVELY }))(
    '%s is installed at the mirrored version %s',
    (name, version) => {
      const installed = installedVersion(name);
      expect(
        installed,
        `${name} ${installed} is installed, but the hot path mirrors ${version}: check the hot path against it`,
      ).toBe(version);
    },
  );

  it.each(Object.entries(MIRRORED))('%s is pinned exactly in package.json', (name, version) => {
    expect((pkg.dependencies as Record<string, string>)[name], `pin ${name} to exactly ${version}`).toBe(
      version,
    );
  });
});
