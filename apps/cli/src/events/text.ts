/**
 * Making untrusted text (user ids come from visitors' browsers) safe for an operator's terminal,
 * and laying out plain tables.
 */

// C0 and C1 controls, DEL, and the bidirectional overrides that can make a line read differently than it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Control and direction characters shown as \uXXXX escapes; clipped to `max` characters. */
export function printable(text: string, max = 255): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return clipped.replace(UNSAFE, escapeChar);
}

/** One line of JSON that is also safe on a terminal (JSON.stringify leaves C1 controls and bidi marks raw). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, escapeChar);
}

/** A `key=value` value: bare when it is a plain token, else quoted as JSON. */
export function tokenValue(value: string | number | boolean): string {
  const text = String(value);
  return /^[\w.@:+\-/]+$/.test(text) ? text : jsonLine(text);
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(headers), ...rows.map(render)].join('\n');
}

/** "3s ago", "4m ago", "2h ago", "5d ago"; "never" when there is no time. */
export function ago(then: Date | undefined, now: Date): string {
  if (!then) return 'never';
  const seconds = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 120 * 60) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}

export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = count / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A JetStream time: the API sends RFC 3339 text (though the client's types say nanoseconds);
 * Go's zero time and absent values mean "never".
 */
export function jetStreamTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) || time.getUTCFullYear() < 2000 ? undefined : time;
}
