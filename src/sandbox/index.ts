export { SANDBOX_CREDENTIALS, startSandbox } from './server.js';
export { SEEDED_CASHOUTS } from './store.js';
export type {
  Fault,
  ReceivedRequest,
  Rejection,
  Sandbox,
  SandboxCashout,
  SandboxCredentials,
  SandboxFaults,
  SandboxOptions,
} from './types.js';
