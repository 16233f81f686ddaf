// The Node snippet of the customer docs, run as a customer's server runs it: the line below becomes the
// docs' block (test/harness/docs-programs.ts), its route handed to a stand-in for the customer's express app; only the
// main is ours: a JSON array of user ids on stdin, one digest a line out.
/* global inviaroUserHash -- the docs' block defines it */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the docs' block registers its route on it
const app = { get: () => undefined };
// docs: docs/customer-promise.md § Server-side examples (as the page gives them) (js)

const userIds = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
for (const userId of userIds) console.log(inviaroUserHash(userId));
