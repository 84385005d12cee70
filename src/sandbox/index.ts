export { SANDBOX_CREDENTIALS, startSandbox } from './server.js';
export { SEEDED_CASHOUTS } from './store.js';
export type {
  Fault,
  NotificationAttempt,
  NotificationFault,
  NotificationFaults,
  ReceivedRequest,
  Rejection,
  Sandbox,
  SandboxCashout,
  SandboxCredentials,
  SandboxFaults,
  SandboxNotifications,
  SandboxOptions,
} from './types.js';
