import { builder } from './builder.js';
import './errors.js';
import './cashout.js';
import './status-changes.js';
import './history.js';
import './listing.js';
import './bulk-changes.js';
import './cashout-events.js';

builder.mutationType({
  description: 'State changes on cashouts at D24. None is ever retried automatically.',
});

/** The executable schema: every domain file registers its types on the builder above. */
export const schema = builder.toSchema({ sortSchema: true });
