import { createRequire } from 'node:module';
import path from 'node:path';

// Read at run time so src/ (tsx), dist/ (tsc) and the bundle dist/main.js all find package.json one level up.
const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { name: string; version: string };

/** The project's directory, wherever this module was compiled or bundled to. */
export const PROJECT_ROOT = path.dirname(require.resolve('../package.json'));

export const SERVICE_NAME = pkg.name;
export const SERVICE_VERSION = pkg.version;
