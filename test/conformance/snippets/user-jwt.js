// The Node snippet of docs/identity-jwt.md, run as a customer's server runs it: the line below becomes the
// docs' block (test/harness/docs-programs.ts); only the main is ours: a JSON array of cases on stdin, a token a line out.
/* global inviaroUserJwt, jwt -- the docs' block defines them */
// docs: docs/identity-jwt.md § Server-side examples (js)

// A case is {docs: {user_id, email, name}} (the function above) or {claims, alg, kid, key} (the library as it is, defects included).
const secretOf = (key) => (key === 'other' ? process.env.INVIARO_OTHER_SECRET : process.env.INVIARO_WIDGET_SECRET);
for (const c of JSON.parse(require('node:fs').readFileSync(0, 'utf8'))) {
  if (c.docs) console.log(inviaroUserJwt({ id: c.docs.user_id, email: c.docs.email, name: c.docs.name }));
  else console.log(jwt.sign(c.claims, c.alg === 'none' ? '' : secretOf(c.key), { algorithm: c.alg, ...(c.kid ? { keyid: c.kid } : {}) }));
}
