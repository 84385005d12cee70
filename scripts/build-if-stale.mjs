// `node scripts/build-if-stale.mjs [--dry-run]`: what `npm start` (scripts/start.mjs) runs before the service. Builds (`npm run build`:
// tsc, then the bundle) only when an input changed since the last build, so a second start is not a 14 s rebuild.
// The inputs are hashed by content (mtimes change on checkout and copy); the hash of a successful build is kept in
// dist/.build-stamp. --dry-run prints whether a build is due, and why, without building. It writes to stderr: stdout
// is the service's JSON log.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const STAMP = path.join(root, 'dist', '.build-stamp');
/** What the build reads: the sources, the build scripts and settings, and the dependencies' exact versions. */
const INPUTS = [
  'src',
  'scripts/bundle.mjs',
  'scripts/build-if-stale.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
/** What `npm start` runs: missing, it is a build whatever the stamp says. */
const OUTPUTS = ['dist/start.cjs', 'dist/main.cjs'];

function files(relative) {
  const full = path.join(root, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

function inputsHash() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(files).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const hash = inputsHash();
const stamp = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : null;
const missing = OUTPUTS.filter((file) => !existsSync(path.join(root, file)));
let why = null;
if (missing.length > 0) why = `${missing.join(', ')} missing`;
else if (stamp === null) why = 'no record of a build (dist/.build-stamp)';
else if (stamp !== hash) why = 'sources changed since the last build';

if (process.argv.includes('--dry-run')) {
  console.error(why ? `stale: ${why}` : 'up to date');
} else if (why) {
  console.error(`building: ${why}`);
  rmSync(STAMP, { force: true }); // a build that fails half-way leaves no stamp
  // The build's own output goes to stderr too.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  writeFileSync(STAMP, `${hash}\n`);
} else {
  console.error('dist/ is up to date: not building');
}
