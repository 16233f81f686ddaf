// Docs → Identity verification → Server-side examples → Node. The require and the function are
// copied verbatim; only the main below is ours: a JSON array of user ids on stdin, one digest a line out.
const crypto = require('node:crypto');

function inviaroUserHash(userId) {
  if (!userId) throw new Error('userId required');
  return crypto.createHmac('sha256', process.env.INVIARO_WIDGET_SECRET).update(userId).digest('hex');
}

const userIds = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
for (const userId of userIds) console.log(inviaroUserHash(userId));
