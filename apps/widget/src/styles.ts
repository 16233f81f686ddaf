/**
 * The widget's whole stylesheet, applied inside its shadow root as a constructed stylesheet
 * (adoptedStyleSheets): strict CSPs allow it, unlike <style> elements or style attributes.
 * `all: initial !important` on the host keeps the page's styles out (important declarations of
 * the shadow tree win over the page's); the shadow root keeps ours in.
 */
export const CSS = `
:host{all:initial!important;position:fixed!important;right:20px!important;bottom:20px!important;z-index:2147483000!important;display:block!important;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif!important;color:#1d2433!important}
*{box-sizing:border-box}
[hidden]{display:none!important}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #f59f00;outline-offset:2px}
.launcher{display:flex;align-items:center;justify-content:center;position:relative;margin-left:auto;width:56px;height:56px;border:0;border-radius:50%;background:#3651d4;color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.28)}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:1px;right:1px;width:15px;height:15px;border:2px solid #fff;border-radius:50%;background:#e03131}
.panel{position:absolute;right:0;bottom:72px;display:flex;flex-direction:column;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 112px);overflow:hidden;border-radius:14px;background:#fff;box-shadow:0 10px 34px rgba(0,0,0,.28)}
header{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 16px;background:#3651d4;color:#fff}
.title{flex:1;min-width:0}
h2{margin:0;font-size:16px;font-weight:600}
.sub{font-size:12px;opacity:.85}
.close{width:34px;height:34px;border:0;border-radius:8px;background:transparent;color:#fff;font-size:22px;line-height:1}
.close:hover{background:rgba(255,255,255,.16)}
.log{display:flex;flex:1;flex-direction:column;gap:8px;overflow-y:auto;padding:14px;background:#f6f7fb}
.empty{margin:auto;padding:0 24px;color:#5f6b7a;text-align:center}
.more{align-self:center;border:0;background:none;color:#3651d4;font-size:12px;text-decoration:underline}
.m{max-width:82%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.m[data-author=visitor]{align-self:flex-end;border-bottom-right-radius:4px;background:#3651d4;color:#fff}
.m[data-author=operator]{align-self:flex-start;border-bottom-left-radius:4px;background:#e6e9f0;color:#1d2433}
.m[data-state]{opacity:.75}
.who{display:block;font-size:11px;font-weight:600;color:#3651d4}
.at{display:block;margin-top:2px;font-size:11px;opacity:.75}
.st{display:block;margin-top:2px;font-size:11px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.status{padding:7px 14px;background:#fff4c2;color:#4d3800;font-size:12px}
.status:empty{display:none}
.status[data-kind=error]{background:#ffe3e3;color:#7a1010}
.signin{margin:0;padding:14px;border-top:1px solid #e6e9f0;text-align:center}
form{display:flex;align-items:flex-end;gap:8px;padding:10px;border-top:1px solid #e6e9f0}
textarea{flex:1;height:42px;max-height:120px;padding:10px;resize:none;border:1px solid #c4cad4;border-radius:10px;color:inherit;font:inherit}
textarea:disabled{background:#f1f3f5}
.send{height:42px;padding:0 16px;border:0;border-radius:10px;background:#3651d4;color:#fff;font-weight:600}
.send:disabled{background:#9aa5c4;cursor:default}
@media (prefers-reduced-motion:no-preference){.panel{animation:in .16s ease-out}}
@keyframes in{from{opacity:0;transform:translateY(8px)}}
@media (forced-colors:active){.m,.launcher,.panel{border:1px solid CanvasText}}
`;
