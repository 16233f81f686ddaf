import { Identity, Settings, Widget } from './widget';

/**
 * v1.js: `<script src="https://<gateway>/v1.js" async>` after `window.InviaroSettings = {...}`.
 * Calls made before it loads are kept by the stub below and run once it has:
 *
 *   window.Inviaro = window.Inviaro || function () { (Inviaro.q = Inviaro.q || []).push(arguments); };
 *
 * Commands: Inviaro('identify', {userId, userHash, email, name}) or {userJwt}, Inviaro('logout'), Inviaro('open'), Inviaro('close').
 */
type Command = 'identify' | 'logout' | 'open' | 'close';
interface InviaroFunction {
  (command: Command, argument?: unknown): unknown;
  q?: ArrayLike<unknown>[];
  loaded?: boolean;
}
interface InviaroWindow {
  InviaroSettings?: Settings;
  Inviaro?: InviaroFunction;
}

/** Where this script came from: the gateway, unless the page says otherwise. Read now: currentScript is only set while the script first runs. */
function scriptOrigin(): string | undefined {
  const script = (document.currentScript as HTMLScriptElement | null) || document.querySelector<HTMLScriptElement>('script[src$="/v1.js"]');
  try {
    return script && script.src ? new URL(script.src).origin : undefined;
  } catch {
    return undefined;
  }
}

function boot(): void {
  const page = window as unknown as InviaroWindow;
  if (page.Inviaro && page.Inviaro.loaded) return;
  const settings: Settings = page.InviaroSettings || {};
  page.InviaroSettings = settings;
  const base = (settings.apiBase || scriptOrigin() || '').replace(/\/+$/, '');
  if (!settings.key || !base) {
    console.warn('Inviaro: set window.InviaroSettings.key (and apiBase when v1.js is not loaded from the gateway)');
    return;
  }
  if (settings.origin && settings.origin !== location.origin) {
    console.warn(`Inviaro: InviaroSettings.origin is ${settings.origin} but this page is ${location.origin}; the gateway checks the page's real origin`);
  }
  const widget = new Widget(settings.key, base, settings);
  const run: InviaroFunction = (command, argument) => {
    switch (command) {
      case 'identify':
        return widget.identify(argument as Identity);
      case 'logout':
        return widget.logout();
      case 'open':
        return widget.open();
      case 'close':
        return widget.close();
      default:
        console.warn(`Inviaro: unknown command ${String(command)}`);
    }
  };
  run.loaded = true;
  const queued = (page.Inviaro && page.Inviaro.q) || [];
  page.Inviaro = run;
  // Queued identify/logout first, so that start() sees the claim the page ended up with.
  const later: ArrayLike<unknown>[] = [];
  for (const call of Array.from(queued)) {
    if (call[0] === 'identify' || call[0] === 'logout') run(call[0], call[1]);
    else later.push(call);
  }
  widget.start();
  for (const call of later) run(call[0] as Command, call[1]);
}

boot();
