// undici's Pool by its own file: the package's index also loads fetch, WebSocket, cookies and the mock agents, which
// the D24 client never uses and every cold start would pay for (docs/performance.md#cold-start).
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';

  const PoolClass: typeof Pool;
  export default PoolClass;
}
