/**
 * The import graph of models/: no file imports itself through a chain of relative imports (type-only
 * imports included - a reader follows those too). The gfs2 read, write and fault used to form such a
 * cycle; models/gfs2/ now points one way.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each file's relative imports inside models/, as absolute .ts paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)\.js'/g)].map((m) => resolve(dirname(file), `${m[1]}.ts`));
    graph.set(
      file,
      targets.filter((t) => t.startsWith(root)),
    );
  }
  return graph;
}

/** The first cycle found by depth-first search (its first file repeated at the end), or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      const c = visit(t);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of [...graph.keys()].sort()) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('models/ import graph', () => {
  it('every relative import names a file that exists', () => {
    const graph = importGraph();
    for (const [file, targets] of graph) for (const t of targets) assert.ok(graph.has(t), `${relative(root, file)} imports missing ${relative(root, t)}`);
  });

  it('has no cycle', () => {
    assert.equal(
      findCycle(importGraph())
        ?.map((f) => relative(root, f))
        .join(' -> ') ?? null,
      null,
    );
  });

  it('finds a cycle when there is one (the check is not vacuous)', () => {
    const g = new Map([
      ['/a', ['/b']],
      ['/b', ['/c']],
      ['/c', ['/a']],
    ]);
    assert.deepEqual(findCycle(g), ['/a', '/b', '/c', '/a']);
    assert.equal(
      findCycle(
        new Map([
          ['/a', ['/b']],
          ['/b', []],
        ]),
      ),
      null,
    );
  });
});
