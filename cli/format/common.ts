/** Small formatting helpers shared by the text formatters. */
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
