// `npm start` runs this (as dist/start.cjs): it runs the service bundle (dist/main.cjs) with a V8 code cache.
// Compiling the 2 MB bundle and the functions start-up runs was half of the cold start; Node 20 has no compile
// cache of its own (module.enableCompileCache is Node 22), so this does what it does: the first start compiles as
// usual and, a few seconds in, writes V8's cached code next to the bundle; later starts load it and skip that work.
// The cache is named by the bundle's hash (V8 checks only the source's length), and any failure to read or write
// it just means compiling as usual.
import crypto = require('node:crypto');
import fs = require('node:fs');
import Module = require('node:module');
import path = require('node:path');
import v8 = require('node:v8');
import vm = require('node:vm');

// V8's old generation grows at most 1.5x past the live heap, so distinct documents cannot inflate RSS
// (docs/security.md). Set before the cache is read: V8 rejects cached code made under other flags.
v8.setFlagsFromString('--heap-growing-percent=50');

const bundle = path.join(__dirname, 'main.cjs');
const WRITE_AFTER_MS = 3_000;
const source = fs.readFileSync(bundle, 'utf8');
const hash = crypto.createHash('sha1').update(source).digest('hex').slice(0, 16);
const cacheFile = path.join(__dirname, `main.${hash}.v8cache`);

let cachedData: Buffer | undefined;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  // No cache yet: compile as usual, then write one.
}
const script = new vm.Script(Module.wrap(source), {
  filename: bundle,
  ...(cachedData && { cachedData }),
  // No import() callback: Node 20 drops it from a script built from cached data, so the bundle has no import()
  // (scripts/bundle.mjs refuses one); what it loads lazily, it require()s.
});
const cacheUsed = !!cachedData && !script.cachedDataRejected;
cachedData = undefined; // V8 has taken what it needs: 2 MB less to keep
if (process.env.CODE_CACHE_REPORT === 'true')
  console.error(`code cache: ${cacheUsed ? 'used' : 'to be written'}`);
if (!cacheUsed) {
  // Written once start-up and the first requests have compiled what they need, and before V8 flushes the bytecode
  // of functions that have not run for a while (start-up's, above all): after a long run the cache would miss them.
  // A process that stops sooner writes it at exit.
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    try {
      const temporary = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(temporary, script.createCachedData());
      fs.renameSync(temporary, cacheFile);
    } catch {
      // A read-only dist/: every start compiles, as it would without this.
    }
  };
  setTimeout(write, WRITE_AFTER_MS).unref();
  process.once('exit', write);
}

const main = new Module(bundle, module);
main.filename = bundle;
main.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
script.runInThisContext()(main.exports, Module.createRequire(bundle), main, bundle, __dirname);
