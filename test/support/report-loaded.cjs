// Preloaded (node --require) into a service under test: at exit, one stderr line saying what the process loaded
// that the bundle does not contain (node_modules packages), and whether Node's built-in fetch (undici) was loaded.
const fs = require('node:fs');

process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (match) packages.add(match[1]);
  }
  const builtinFetch = process.moduleLoadList.some((name) => name.endsWith('internal/deps/undici/undici'));
  fs.writeSync(2, `\nLOADED ${JSON.stringify({ packages: [...packages].sort(), builtinFetch })}\n`);
});
