/**
 * Keeps documentation true: a page marks its code blocks with `<!-- file: PATH -->` (the block must equal
 * that file) or `<!-- output: faultline ARGS -->` (the block must equal what the CLI prints for ARGS, run
 * in order in one scratch directory that links docs/ and examples/, so a replay can read the trace a check
 * wrote). Timings, rates and memory are masked on both sides. With UPDATE_GOLDEN=1 the output blocks are
 * rewritten with what the CLI prints now (review the diff before committing), as golden files are.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/program.js';
import { fakeIo } from '../cli/fakeIo.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

export interface DocBlock {
  readonly kind: 'file' | 'output';
  readonly what: string;
  readonly body: string;
  /** The opening fence with its language, e.g. ```text or ````markdown. */
  readonly open: string;
}

const BLOCK = /<!-- (file|output): (.+?) -->\n((`{3,})[a-z]*)\n([\s\S]*?)\n\4/g;

/** The marked blocks of a page (path relative to the repository root). */
export function docBlocks(page: string): DocBlock[] {
  const text = readFileSync(join(REPO_ROOT, page), 'utf8');
  return [...text.matchAll(BLOCK)].map((m) => ({ kind: m[1] as 'file' | 'output', what: m[2]!, open: m[3]!, body: m[5]! + '\n' }));
}

/** Masks what depends on the machine and the moment. */
export function maskFigures(text: string): string {
  return text
    .replace(/, [\d,]+ states\/s/g, '')
    .replace(/, peak \d+(\.\d+)? (B|KiB|MiB|GiB)/g, '')
    .replace(/\d+\.\d\d/g, '#.##');
}

/** A scratch directory with docs/ and examples/ linked in; remove it with the returned function. */
export function docScratch(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-docs-'));
  for (const d of ['docs', 'examples']) symlinkSync(join(REPO_ROOT, d), join(dir, d), 'dir');
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.traces`, { recursive: true, force: true });
    },
  };
}

/** Asserts every file block of `page` equals its file (with UPDATE_GOLDEN=1, copies the file in). */
export function assertFileBlocks(page: string): void {
  let text = readFileSync(join(REPO_ROOT, page), 'utf8');
  for (const b of docBlocks(page).filter((x) => x.kind === 'file')) {
    const file = readFileSync(join(REPO_ROOT, b.what), 'utf8');
    if (process.env.UPDATE_GOLDEN === '1') text = text.replace(`<!-- file: ${b.what} -->\n\`\`\`ts\n${b.body}`, `<!-- file: ${b.what} -->\n\`\`\`ts\n${file}`);
    else assert.equal(b.body, file, b.what);
  }
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(join(REPO_ROOT, page), text);
}

/** Where a page says `check` saves its trace file unasked: the default on Linux (see `defaultTraceDir`). */
export const DOC_TRACE_DIR = '/tmp/faultline';

/**
 * Runs every output block's command of `page` in order in `dir` and asserts its output. Trace files the
 * commands save by default go to `dir`.traces (outside `dir`, as /tmp/faultline is outside the user's
 * folder), shown and read as DOC_TRACE_DIR, so pages print the path a
 * user sees and the tests share no folder.
 */
export async function assertOutputBlocks(page: string, dir: string): Promise<void> {
  let text = readFileSync(join(REPO_ROOT, page), 'utf8');
  const traces = `${dir}.traces`;
  for (const b of docBlocks(page).filter((x) => x.kind === 'output')) {
    const argv = b.what
      .split(' ')
      .slice(1)
      .map((a) => a.replace(DOC_TRACE_DIR, traces));
    const updating = process.env.UPDATE_GOLDEN === '1';
    const env = { FAULTLINE_TRACE_DIR: traces };
    // When rewriting, a real clock and memory probe, so the page shows figures like a real run's.
    const f = updating ? fakeIo(dir, { env, now: () => performance.now(), memory: () => process.memoryUsage().rss }) : fakeIo(dir, { env });
    await runCli(argv, f.io);
    assert.equal(f.err(), '', b.what);
    const out = f.out().replaceAll(traces, DOC_TRACE_DIR);
    if (updating) {
      text = text.replace(`<!-- output: ${b.what} -->\n${b.open}\n${b.body}`, `<!-- output: ${b.what} -->\n${b.open}\n${out}`);
      continue;
    }
    assert.equal(maskFigures(out), maskFigures(b.body), b.what);
  }
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(join(REPO_ROOT, page), text);
}
