import { IsInt, Max, Min } from 'class-validator';

/** What the configuration table says of a setting, beside its validation (the decorators next to it). */
export interface SettingInfo {
  /** What it means, for the README's table: markdown, one line. */
  description: string;
  /** Which processes read it (`all`, `gateway, verifier`, `CLI`, …) where not every reader of its class (`@ReadBy`). */
  usedBy?: string;
  /** Its default as a reader should see it, where the declared value does not say it well (none, several, derived). */
  shownDefault?: string;
  /** A credential, or a URL that may hold one: never printed, never logged (loadConfig names a bad one, never its value). */
  sensitive?: boolean;
}

type More = Omit<SettingInfo, 'description'>;

const SETTINGS = Symbol('inviaro:settings');
const READ_BY = Symbol('inviaro:read-by');

interface Declared extends SettingInfo {
  /** The class that declares it: whose `@ReadBy` applies. */
  owner: object;
}

type Described = Record<string | symbol, unknown> & { [SETTINGS]?: Map<string, Declared> };

/** Declares an environment variable: its home is the class it is declared on, its validation the decorators beside it. */
export function Setting(description: string, more: More = {}): PropertyDecorator {
  return (target, property) => {
    const prototype = target as Described;
    // Each class its own map, in declaration order; a subclass adds to what it inherits, never changes it.
    if (!Object.prototype.hasOwnProperty.call(prototype, SETTINGS)) prototype[SETTINGS] = new Map(prototype[SETTINGS]);
    prototype[SETTINGS]!.set(String(property), { description, ...more, owner: target.constructor });
  };
}

/** A whole-number setting from `min` to `max`, declared with what the table says of it. */
export function IntSetting(min: number, max: number, description: string, more: More = {}): PropertyDecorator {
  const decorators = [Max(max), Min(min), IsInt(), Setting(description, more)];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}

/** Who reads the settings a class declares (a setting may name other readers of its own). */
export function ReadBy(usedBy: string): ClassDecorator {
  return (cls) => {
    (cls as unknown as Record<symbol, string>)[READ_BY] = usedBy;
  };
}

export interface DescribedSetting extends SettingInfo {
  name: string;
  usedBy: string;
  /** The default the table shows: `shownDefault`, else the declared value, else none. */
  defaultText: string;
}

/** The settings a configuration class declares and inherits, in declaration order, with their defaults. */
export function settingsOf(cls: new () => object): DescribedSetting[] {
  const declared = (cls.prototype as Described)[SETTINGS] ?? new Map<string, Declared>();
  const defaults = new cls() as Record<string, unknown>;
  return [...declared].map(([name, { owner, ...info }]) => ({
    name,
    ...info,
    usedBy: info.usedBy ?? (owner as Record<symbol, string | undefined>)[READ_BY] ?? '—',
    defaultText: info.shownDefault ?? shown(defaults[name]),
  }));
}

/** Settings default to a number, a string or nothing. */
function shown(value: unknown): string {
  if (typeof value === 'number' || (typeof value === 'string' && value !== '')) return `\`${value}\``;
  return '—';
}
