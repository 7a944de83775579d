/** Small formatting helpers shared by the text formatters. */
import type { ReductionReport } from '../../checker/index.js';

export const num = (n: number): string => n.toLocaleString('en-US');

export function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(0)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

export function paramsText(params: Readonly<Record<string, number>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** ` (k=v k=v)`, or nothing for a scenario without parameters. */
export function paramsSuffix(params: Readonly<Record<string, number>>): string {
  const t = paramsText(params);
  return t ? ` (${t})` : '';
}

/**
 * "reduction: symmetry", or "reduction: none (asked for symmetry); symmetry off: ..." - what a run reduced
 * and why it did less than it was asked; null for a run that asked for none (the default report is unchanged).
 */
export function reductionText(r: ReductionReport | undefined): string | null {
  if (!r || (r.requested === 'none' && !r.notes.length)) return null;
  const asked = r.applied === r.requested ? '' : ` (asked for ${r.requested})`;
  return `reduction: ${r.applied}${asked}${r.notes.map((n) => `; ${n}`).join('')}`;
}
