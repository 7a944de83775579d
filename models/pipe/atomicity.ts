/**
 * Pipe write atomicity (POSIX write(2): "Write requests of {PIPE_BUF}
 * bytes or less shall not be interleaved with data from other processes doing writes on the same pipe").
 * For every tracked write of n <= PIPE_BUF units that has returned r: exactly max(r, 0) of its units are
 * in the byte stream, and they are contiguous (no other writer's unit between two of them). A write that
 * returns -EFAULT contributes nothing.
 */
import { assertShape, invariant, type InvariantProperty, type StateView } from '../../checker/index.js';
import type { Pipe, PipeWorld } from './ring.js';
import { NAME_OPTIONS } from '../options.js';

export interface TrackedWrite {
  /** The writer actor; its context has `ret` (units written, or a negative errno) once final. */
  readonly actor: string;
  /** Its ghost index in the pipe (definePipe `writers`). */
  readonly writer: number;
  /** Units it writes. */
  readonly len: number;
}

function firstBad(s: StateView<PipeWorld>, writes: readonly TrackedWrite[]): number {
  for (let i = 0; i < writes.length; i++) {
    const t = writes[i]!;
    const a = s.actor(t.actor);
    if (!a.final) continue;
    const ret = a.context.ret as number;
    const mine = s.world.pipeWritten[t.writer]!;
    if (mine !== Math.max(ret, 0) || (mine > 0 && s.world.pipeSplit[t.writer] === 1)) return i;
  }
  return -1;
}

export function pipeWriteAtomicity(P: Pipe, writes: readonly TrackedWrite[], options: { readonly name?: string } = {}): InvariantProperty<PipeWorld> {
  assertShape(options, NAME_OPTIONS, 'pipeWriteAtomicity() options');
  for (const t of writes) {
    if (t.len > P.pageUnits) throw new RangeError(`pipeWriteAtomicity: ${t.actor} writes ${t.len} units, more than PIPE_BUF (${P.pageUnits})`);
  }
  return invariant(options.name ?? 'pipe write atomicity', (s) => firstBad(s, writes) < 0, {
    description: `a write of <= PIPE_BUF (${P.pageUnits}) units that returns r puts exactly max(r, 0) units into the pipe, contiguously`,
    explain: (s) => {
      const t = writes[firstBad(s, writes)]!;
      const ret = s.actor(t.actor).context.ret as number;
      const mine = s.world.pipeWritten[t.writer]!;
      if (mine !== Math.max(ret, 0)) return `${t.actor}'s write of ${t.len} units returned ${ret} but put ${mine} units into the pipe`;
      return `${t.actor}'s write of ${t.len} units (<= PIPE_BUF = ${P.pageUnits}) returned ${ret}, but another writer's bytes lie between its bytes in the pipe`;
    },
  });
}
