// Docs → Identity with a signed token (docs/identity-jwt.md) → Server-side examples → Node. The require
// and the function are copied verbatim; only the main below is ours: a JSON array of cases on stdin, a token a line out.
const jwt = require('jsonwebtoken');

function inviaroUserJwt(user) {
  if (!user.id) throw new Error('user id required');
  return jwt.sign({ sub: String(user.id), email: user.email, name: user.name }, process.env.INVIARO_WIDGET_SECRET, { algorithm: 'HS256', expiresIn: '12h' });
}

// A case is {docs: {user_id, email, name}} (the function above) or {claims, alg, kid, key} (the library as it is, defects included).
const secretOf = (key) => (key === 'other' ? process.env.INVIARO_OTHER_SECRET : process.env.INVIARO_WIDGET_SECRET);
for (const c of JSON.parse(require('node:fs').readFileSync(0, 'utf8'))) {
  if (c.docs) console.log(inviaroUserJwt({ id: c.docs.user_id, email: c.docs.email, name: c.docs.name }));
  else console.log(jwt.sign(c.claims, c.alg === 'none' ? '' : secretOf(c.key), { algorithm: c.alg, ...(c.kid ? { keyid: c.kid } : {}) }));
}
