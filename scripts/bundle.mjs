// `node scripts/bundle.mjs [ENTRY OUTFILE]`: one ES module with every dependency inlined (default: src/main.ts →
// dist/main.js, what `npm start` runs). Loading ~240 files cost the service most of its cold start.
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const [entry = 'src/main.ts', outfile = 'dist/main.js'] = process.argv.slice(2);

await build({
  entryPoints: [path.resolve(root, entry)],
  outfile: path.resolve(root, outfile),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
  // pino starts transports (pino-pretty) in worker threads by file name: it must stay a real package.
  // GraphiQL's renderer (18 MB) is imported only when GraphiQL is shown: inlined, every start would parse it. It
  // renders HTML only; whatever else uses graphql (graphql-jit above all) must stay inside, on the bundle's copy.
  external: ['pino', 'pino-pretty', '@graphql-yoga/render-graphiql'],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
