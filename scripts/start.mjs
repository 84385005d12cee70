// `npm start`: build what is stale (scripts/build-if-stale.mjs), then run dist/start.cjs in this same process: one
// Node start-up fewer than `node scripts/build-if-stale.mjs && node dist/start.cjs`.
import { createRequire } from 'node:module';
import './build-if-stale.mjs';

createRequire(import.meta.url)('../dist/start.cjs');
