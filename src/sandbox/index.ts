export { SANDBOX_CREDENTIALS, startSandbox } from './server.js';
export { SEEDED_CASHOUTS } from './store.js';
export type * from './types.js';
