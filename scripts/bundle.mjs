// `node scripts/bundle.mjs [ENTRY OUTFILE]`: one CommonJS file with every dependency inlined (default: src/main.ts →
// dist/main.cjs, which `npm start` runs through dist/start.cjs and its V8 code cache). Loading ~240 files cost the
// service most of its cold start; minified, the bundle is half as much to parse.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const [entry = 'src/main.ts', outfile = 'dist/main.cjs'] = process.argv.slice(2);
const outDir = path.dirname(path.resolve(root, outfile));

const { metafile } = await build({
  entryPoints: [path.resolve(root, entry)],
  outfile: path.resolve(root, outfile),
  bundle: true,
  platform: 'node',
  // CommonJS, so dist/start.cjs can hand V8 its code cache (Node 20 takes none for an ES module).
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify: true,
  // Error and class names stay readable in logs and stack traces.
  keepNames: true,
  allowOverwrite: true,
  metafile: true,
  logLevel: 'warning',
  // pino-pretty runs in a worker thread, loaded by file name (src/server/observability/logger.ts names pino's own).
  // GraphiQL's renderer (18 MB) is imported only when GraphiQL is shown: inlined, every start would parse it. It
  // renders HTML only; whatever else uses graphql (graphql-jit above all) must stay inside, on the bundle's copy.
  // better-sqlite3 is a native addon (found by file name); pg is require()d only when DATABASE_URL names PostgreSQL,
  // ioredis only when REDIS_URL is set.
  external: ['pino-pretty', '@graphql-yoga/render-graphiql', 'better-sqlite3', 'pg', 'ioredis'],
  // The sources are ES modules that find files from import.meta.url.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// dist/start.cjs runs the bundle from V8's code cache, where Node 20 has no import() callback: require() instead.
for (const output of Object.values(metafile.outputs)) {
  const dynamic = output.imports.find((imported) => imported.kind === 'dynamic-import');
  if (dynamic) throw new Error(`${outfile} has import('${dynamic.path}'): load it with require()`);
}
// A new bundle: the code caches of earlier ones are stale.
for (const file of readdirSync(outDir)) if (file.endsWith('.v8cache')) rmSync(path.join(outDir, file));
