/**
 * `faultline show`: a scenario described as data (`describeScenario`) and rendered as text, Markdown or
 * JSON. Actors that share one machine (reader0, reader1 ...) share one diagram.
 */
import type { CompiledSystem } from '../../checker/index.js';
import { formatProvenance, variantParams, type AnyScenario, type Provenance } from '../../scenarios/index.js';
import { cell, code, fenced } from './markdown.js';
import { machineStateDiagram } from './stateDiagram.js';

export interface ScenarioDescription {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly description: string;
  readonly params: readonly { name: string; description: string; default: number; min: number; max: number; value: number }[];
  readonly defaultVariant: string;
  /** The variant whose system the properties and machines below describe. */
  readonly variant: string;
  readonly variants: readonly { name: string; description: string; expected: { verdict: string; property?: string }; provenance: Provenance }[];
  readonly properties: readonly { name: string; kind: string; description: string }[];
  readonly machines: readonly {
    id: string;
    actors: readonly string[];
    kind: string;
    fairness: string;
    budget?: number;
    fields: readonly { name: string; min: number; max: number }[];
    diagram: string;
  }[];
}

export function describeScenario(s: AnyScenario, variant: string, params: Readonly<Record<string, number>>, system: CompiledSystem): ScenarioDescription {
  const machines: { key: unknown; value: ScenarioDescription['machines'][number] & { actors: string[] } }[] = [];
  for (const a of system.actors) {
    const same = machines.find(
      (m) => m.key === a.spec.machine && m.value.kind === a.kind && m.value.fairness === a.fairness && m.value.budget === a.spec.budget,
    );
    if (same) {
      same.value.actors.push(a.name);
      continue;
    }
    const fields = Object.entries(a.spec.fields).map(([name, f]) => ({ name, min: f.min, max: f.max }));
    machines.push({
      key: a.spec.machine,
      value: {
        id: a.machine.id,
        actors: [a.name],
        kind: a.kind,
        fairness: a.fairness,
        ...(a.spec.budget === undefined ? {} : { budget: a.spec.budget }),
        fields,
        diagram: machineStateDiagram(a),
      },
    });
  }
  const taken = variantParams(s, variant);
  return {
    id: s.id,
    title: s.title,
    source: s.source,
    description: s.description,
    // The parameters the variant shown takes (a variant may take fewer than the scenario has).
    params: Object.entries(s.params)
      .filter(([name]) => taken.includes(name))
      .map(([name, p]) => ({
        name,
        description: p.description,
        default: p.default,
        min: p.min,
        max: p.max,
        value: params[name] ?? p.default,
      })),
    defaultVariant: s.defaultVariant,
    variant,
    variants: Object.entries(s.variants).map(([name, v]) => ({ name, description: v.description, expected: v.expected, provenance: v.provenance })),
    // The implicit property every check reports, as `check` lists it.
    properties: [
      ...system.properties.map((p) => ({ name: p.name, kind: p.kind as string, description: p.description ?? '' })),
      { name: 'assertion', kind: 'assertion', description: 'no action throws and every field stays inside its domain' },
    ],
    machines: machines.map((m) => m.value),
  };
}

const expectedText = (e: { verdict: string; property?: string }): string => (e.verdict === 'holds' ? 'holds' : `violates ${e.property ?? 'some property'}`);

function actorLine(m: ScenarioDescription['machines'][number]): string {
  const budget = m.budget === undefined ? '' : `, budget ${m.budget}`;
  const fairness = m.kind === 'thread' ? `, ${m.fairness} fairness` : '';
  const fields = m.fields.length ? `; context ${m.fields.map((f) => `${f.name} ${f.min}..${f.max}`).join(', ')}` : '';
  return `${m.actors.join(', ')}: ${m.kind}${fairness}${budget}, machine '${m.id}'${fields}`;
}

function paramsNote(d: ScenarioDescription): string {
  const changed = d.params.filter((p) => p.value !== p.default);
  return changed.length ? `, ${changed.map((p) => `${p.name}=${p.value}`).join(' ')}` : ', default parameters';
}

function wrapText(text: string, width: number, indent: string): string {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) out.push(indent + line);
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export function formatShowText(d: ScenarioDescription): string {
  const out = [`${d.id}  ${d.title}`, `source: ${d.source}`, '', wrapText(d.description, 100, ''), '', 'Parameters (name, default, domain):'];
  const pw = Math.max(4, ...d.params.map((p) => p.name.length));
  if (d.params.length === 0) out.push('  none');
  for (const p of d.params) out.push(`  ${p.name.padEnd(pw)}  ${String(p.default).padStart(3)}  ${`${p.min}..${p.max}`.padEnd(7)}  ${p.description}`);
  out.push('', 'Variants (expected verdict at the default parameters):');
  const vw = Math.max(...d.variants.map((v) => v.name.length + (v.name === d.defaultVariant ? 10 : 0)));
  for (const v of d.variants) {
    out.push(`  ${`${v.name}${v.name === d.defaultVariant ? ' (default)' : ''}`.padEnd(vw)}  ${expectedText(v.expected)}: ${v.description}`);
    out.push(`  ${''.padEnd(vw)}  ${formatProvenance(v.provenance)}`);
  }
  out.push('', `Properties (${d.variant}${paramsNote(d)}):`);
  const nw = Math.max(...d.properties.map((p) => p.name.length), 4);
  const kw = Math.max(...d.properties.map((p) => p.kind.length), 4);
  for (const p of d.properties) out.push(`  ${p.name.padEnd(nw)}  ${p.kind.padEnd(kw)}  ${p.description}`);
  out.push('', 'Actors (Mermaid state diagrams; paste into any Mermaid renderer):');
  for (const m of d.machines) out.push('', `  ${actorLine(m)}`, '', fenced('mermaid', m.diagram));
  return out.join('\n') + '\n';
}

export function formatShowMarkdown(d: ScenarioDescription): string {
  const out = [
    `## ${code(d.id)}: ${d.title}`,
    '',
    `Source: ${d.source}`,
    '',
    d.description,
    '',
    '### Parameters',
    '',
    '| name | default | domain | description |',
    '|---|---:|---|---|',
  ];
  for (const p of d.params) out.push(`| ${cell(p.name)} | ${p.default} | ${p.min}..${p.max} | ${cell(p.description)} |`);
  if (d.params.length === 0) out.push('| (none) | | | |');
  out.push('', '### Variants', '', '| variant | expected | description | provenance |', '|---|---|---|---|');
  for (const v of d.variants) {
    const name = `${cell(v.name)}${v.name === d.defaultVariant ? ' (default)' : ''}`;
    out.push(`| ${name} | ${cell(expectedText(v.expected))} | ${cell(v.description)} | ${cell(formatProvenance(v.provenance))} |`);
  }
  out.push('', `### Properties (${cell(d.variant)}${paramsNote(d)})`, '', '| property | kind | description |', '|---|---|---|');
  for (const p of d.properties) out.push(`| ${cell(p.name)} | ${p.kind} | ${cell(p.description)} |`);
  out.push('', '### Actors');
  for (const m of d.machines) out.push('', `**${cell(actorLine(m))}**`, '', fenced('mermaid', m.diagram));
  return out.join('\n') + '\n';
}
