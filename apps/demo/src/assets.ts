/**
 * The demo's static files, kept as strings so that `npm run build` (tsc) carries them into dist/.
 * app.js is the demo product's own script: a single-page login and logout that call
 * Inviaro('identify', …) with what /api/me returns (the docs' example) and Inviaro('logout').
 */
export const APP_JS = `'use strict';
(function () {
  function post(url, body) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  }
  function show(user) {
    document.querySelectorAll('[data-when=in]').forEach(function (node) { node.hidden = !user; });
    document.querySelectorAll('[data-when=out]').forEach(function (node) { node.hidden = !!user; });
    document.querySelectorAll('[data-user-name]').forEach(function (node) { node.textContent = user ? user.name : ''; });
  }
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var kind = form.getAttribute('data-spa');
    if (!kind || !window.fetch) return;
    event.preventDefault();
    if (kind === 'login') {
      post('/api/login', { user: form.elements.user.value })
        .then(function (res) { if (!res.ok) throw new Error('login failed'); return fetch('/api/me', { credentials: 'same-origin' }); })
        .then(function (res) { return res.json(); })
        .then(function (me) {
          Inviaro('identify', { userId: me.id, userHash: me.inviaroUserHash, email: me.email, name: me.name });
          show(me);
        })
        .catch(function () { form.submit(); });
    } else if (kind === 'logout') {
      post('/api/logout')
        .then(function () { return Inviaro('logout'); })
        .then(function () { show(null); })
        .catch(function () { form.submit(); });
    }
  });
})();
`;

export const DEMO_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2430;background:#f4f5f8}
header.top{display:flex;align-items:center;gap:16px;padding:14px 28px;background:#14213d;color:#fff}
header.top a{color:#fff}
.brand{font-weight:700;font-size:18px;flex:1}
main{max-width:920px;margin:28px auto;padding:0 24px}
.card{background:#fff;border-radius:12px;padding:20px 24px;margin-bottom:20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:26px;margin:0 0 8px}
h2{font-size:19px;margin:0 0 12px}
button,.button{font:inherit;padding:8px 14px;border:0;border-radius:8px;background:#3651d4;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#e6e9f0;color:#1f2430}
.users{display:flex;gap:10px;flex-wrap:wrap}
.stats{display:grid;grid-template-columns:repeat(3,1fr);gap:14px}
.stat{background:#f4f5f8;border-radius:10px;padding:14px}
.stat b{display:block;font-size:24px}
table{width:100%;border-collapse:collapse;font-size:14px}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e6e9f0;vertical-align:top}
.badge{display:inline-block;padding:2px 8px;border-radius:999px;font-size:12px;font-weight:600}
.badge.verified{background:#d3f9d8;color:#1b5e20}
.badge.anonymous{background:#e9ecef;color:#495057}
.source{font-size:11px;font-weight:600;color:#495057}
.source.verified{color:#1b5e20}
.muted{color:#5f6b7a;font-size:14px}
.msg{padding:8px 12px;border-radius:10px;margin:6px 0;max-width:75%;white-space:pre-wrap;overflow-wrap:anywhere}
.msg.visitor{background:#e6e9f0}
.msg.operator{background:#dbe4ff;margin-left:auto}
.msg small{display:block;color:#5f6b7a;font-size:12px}
.chart{display:block;max-width:100%;height:auto;border-bottom:1px solid #c4cad4}
.chart .verified{fill:#2b8a3e}.key.verified{background:#2b8a3e}
.chart .anonymous{fill:#adb5bd}.key.anonymous{background:#adb5bd}
.chart .failed{fill:#e03131}.key.failed{background:#e03131}
.totals{display:grid;grid-template-columns:auto auto 1fr;gap:4px 12px;margin:12px 0}
.totals dd{margin:0}
.key{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
textarea{width:100%;min-height:70px;font:inherit;padding:8px;border:1px solid #c4cad4;border-radius:8px}
.error{background:#ffe3e3;color:#7a1010;padding:12px 16px;border-radius:8px}
nav.filters a{margin-right:12px}
`;
