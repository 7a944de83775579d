/**
 * Mermaid's own parser, in Node, for tests: `mermaid` (a devDependency) parses a diagram into its
 * diagram database, the data its renderers draw from. Mermaid sanitises labels with DOMPurify, which
 * needs a DOM, so jsdom's window is installed as `window` before mermaid loads (nothing else is rendered).
 */
import { JSDOM } from 'jsdom';

const g = globalThis as { window?: unknown };
g.window ??= new JSDOM('').window;
// Mermaid's own single-file ES bundle, not its package entry: the entry imports d3, lodash-es and the rest
// as hundreds of small modules, and through tsx's loader that cost 3.7 CPU s against 2.1 s for the bundle.
// The same release and the same parser (the package ships both); its types are the package's.
const BUNDLE: string = 'mermaid/dist/mermaid.esm.min.mjs';
const { default: mermaid } = (await import(BUNDLE)) as typeof import('mermaid');
// Registers the diagram types; getDiagramFromText knows none before the first parse.
await mermaid.parse('stateDiagram-v2\n  [*] --> a');

export interface StateDiagramData {
  /** State id -> the text shown for it (its description when aliased, else the id). */
  readonly states: ReadonlyMap<string, string>;
  readonly relations: readonly { readonly from: string; readonly to: string; readonly label: string }[];
}

export interface SequenceData {
  readonly participants: ReadonlyMap<string, string>;
  /** Messages and notes in order (a note's `from` is its participant). */
  readonly messages: readonly { readonly from: string; readonly text: string; readonly note: boolean }[];
}

interface MermaidDiagram {
  readonly type: string;
  readonly db: Record<string, () => unknown>;
}

/** Parses `text` with Mermaid; throws Mermaid's own error if it does not parse. */
async function diagram(text: string): Promise<MermaidDiagram> {
  await mermaid.parse(text);
  return (await mermaid.mermaidAPI.getDiagramFromText(text)) as unknown as MermaidDiagram;
}

/** Mermaid keeps entity codes (`#58;`, `#lt;`) encoded in its data until it renders: decode them to compare. */
function decode(s: string): string {
  const named: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };
  return s
    .replace(/ﬂ°°(\d+)¶ß/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/ﬂ°(\w+)¶ß/g, (_m, name: string) => named[name] ?? `&${name};`)
    .replace(/&(lt|gt|amp|quot);/g, (_m, name: string) => named[name]!);
}

export async function parseStateDiagram(text: string): Promise<StateDiagramData> {
  const d = await diagram(text);
  if (d.type !== 'stateDiagram') throw new Error(`expected a state diagram, Mermaid read ${d.type}`);
  const states = new Map<string, string>();
  for (const [id, s] of d.db.getStates!() as Map<string, { descriptions?: string[] }>) states.set(id, decode(s.descriptions?.[0] ?? id));
  const relations = (d.db.getRelations!() as { id1: string; id2: string; relationTitle?: string }[]).map((r) => ({
    from: r.id1,
    to: r.id2,
    label: decode(r.relationTitle ?? ''),
  }));
  return { states, relations };
}

export async function parseSequenceDiagram(text: string): Promise<SequenceData> {
  const d = await diagram(text);
  if (d.type !== 'sequence') throw new Error(`expected a sequence diagram, Mermaid read ${d.type}`);
  const participants = new Map<string, string>();
  for (const [id, a] of d.db.getActors!() as Map<string, { description: string }>) participants.set(id, decode(a.description));
  const messages = (d.db.getMessages!() as { from?: string; message?: string; type?: number; placement?: number }[])
    .filter((m) => m.from !== undefined)
    .map((m) => ({ from: m.from!, text: decode(m.message ?? ''), note: m.placement !== undefined }));
  return { participants, messages };
}

/** Every fenced ```mermaid block in a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^(`{3,})mermaid\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]!);
}
