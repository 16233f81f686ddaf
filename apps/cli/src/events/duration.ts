const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** A duration as the options take it (`30s`, `10m`, `1.5h`, `2d`, `1w`), in milliseconds; undefined when the text is not one. */
export function durationMs(text: string): number | undefined {
  const [, amount, unit] = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text.trim()) ?? [];
  const unitMs = unit === undefined ? undefined : UNIT_MS[unit.toLowerCase()];
  return amount === undefined || unitMs === undefined ? undefined : Math.round(Number(amount) * unitMs);
}
