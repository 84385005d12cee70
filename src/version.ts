import { createRequire } from 'node:module';

// Read at run time so src/ (tsx) and dist/ (node) both find the same package.json one level up.
const pkg = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const SERVICE_NAME = pkg.name;
export const SERVICE_VERSION = pkg.version;
