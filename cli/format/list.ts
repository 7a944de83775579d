/** `faultline list`: every built-in scenario with its variants, their expected verdicts and provenance, and its source. */
import { formatProvenance, type AnyScenario } from '../../scenarios/index.js';

export function listText(scenarios: readonly AnyScenario[]): string {
  const lines: string[] = [];
  for (const s of scenarios) {
    lines.push(`${s.id}  ${s.title}`);
    for (const [name, v] of Object.entries(s.variants)) {
      const exp = v.expected.verdict === 'holds' ? 'holds' : `violates ${v.expected.property ?? '?'}`;
      lines.push(`    :${name}${name === s.defaultVariant ? ' (default)' : ''}  ${exp}  ${v.description}`, `        ${formatProvenance(v.provenance)}`);
    }
    lines.push(`    source: ${s.source}`);
  }
  return lines.join('\n') + '\n';
}

/** The scenarios as data: the JSON `list --format json` prints. */
export function listJson(scenarios: readonly AnyScenario[]): unknown {
  return scenarios.map((s) => ({
    id: s.id,
    title: s.title,
    source: s.source,
    defaultVariant: s.defaultVariant,
    variants: Object.fromEntries(
      Object.entries(s.variants).map(([k, v]) => [k, { description: v.description, expected: v.expected, provenance: v.provenance }]),
    ),
  }));
}
