import { IsInt, Max, Min } from 'class-validator';

/** What the configuration table says of a setting, beside its validation (the decorators next to it). */
export interface SettingInfo {
  /** Which processes read it: `all`, `gateway`, `gateway, verifier`, `CLI`, … */
  usedBy: string;
  /** What it means, for the README's table: markdown, one line. */
  description: string;
  /** Its default as a reader should see it, where the declared value does not say it well (none, several, derived). */
  shownDefault?: string;
  /** A credential, or a URL that may hold one: never printed, never logged (loadConfig names a bad one, never its value). */
  sensitive?: boolean;
}

const SETTINGS = Symbol('inviaro:settings');

type Described = Record<string | symbol, unknown> & { [SETTINGS]?: Map<string, SettingInfo> };

/** Declares an environment variable: its home is the class it is declared on, its validation the decorators beside it. */
export function Setting(info: SettingInfo): PropertyDecorator {
  return (target, property) => {
    const owner = target as Described;
    // Each class its own map, in declaration order; a subclass adds to what it inherits, never changes it.
    if (!Object.prototype.hasOwnProperty.call(owner, SETTINGS)) owner[SETTINGS] = new Map(owner[SETTINGS]);
    owner[SETTINGS]!.set(String(property), info);
  };
}

export interface DescribedSetting extends SettingInfo {
  name: string;
  /** The default the table shows: `shownDefault`, else the declared value, else none. */
  defaultText: string;
}

/** The settings a configuration class declares and inherits, in declaration order, with their defaults. */
export function settingsOf(cls: new () => object): DescribedSetting[] {
  const declared = (cls.prototype as Described)[SETTINGS] ?? new Map<string, SettingInfo>();
  const defaults = new cls() as Record<string, unknown>;
  return [...declared].map(([name, info]) => ({ name, ...info, defaultText: info.shownDefault ?? shown(defaults[name]) }));
}

/** Settings default to a number, a string or nothing. */
function shown(value: unknown): string {
  if (typeof value === 'number' || (typeof value === 'string' && value !== '')) return `\`${value}\``;
  return '—';
}

/** A whole-number setting from `min` (to `max`): the checks every numeric setting has, applied as their stacked decorators were. */
export function IntSetting(min: number, max?: number): PropertyDecorator {
  const checks = [...(max === undefined ? [] : [Max(max)]), Min(min), IsInt()];
  return (target, property) => {
    for (const check of checks) check(target, property);
  };
}
