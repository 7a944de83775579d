/**
 * Probabilistic concurrency testing: S. Burckhardt, P. Kothari, M. Musuvathi, S. Nagarakatte, "A
 * randomized scheduler with probabilistic guarantees of finding bugs", ASPLOS 2010. Each execution gives
 * the n actors distinct random priorities d .. d+n-1 and picks d-1 change points uniformly in [1, k]
 * (k: the longest execution seen so far, --max-depth before the first); it always runs the highest-priority actor that has an enabled step, and at the j-th
 * change point lowers the running actor's priority to d - j. A bug of depth d is found with probability
 * at least 1 / (n k^(d-1)) per execution. Several enabled steps of one actor (its data choices) are
 * picked uniformly.
 */
import type { Rng } from '../random/rng.js';
import { stepActor } from '../system/step.js';
import type { SamplingStrategy, Scheduler } from './strategy.js';

class PctScheduler implements Scheduler {
  // invariant: priority has one entry per actor, all distinct; changePoints has depth - 1 entries.
  private readonly priority: number[];
  private changePoints: number[] = [];

  constructor(
    private readonly actors: number,
    private readonly depth: number,
  ) {
    this.priority = new Array<number>(actors).fill(0);
  }

  newExecution(rng: Rng, steps: number): void {
    const order = Array.from({ length: this.actors }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.forEach((actor, rank) => (this.priority[actor] = this.depth + rank));
    this.changePoints = Array.from({ length: Math.max(0, this.depth - 1) }, () => 1 + rng.below(Math.max(1, steps)));
  }

  pick(enabled: readonly number[], step: number, rng: Rng): number {
    let best = -1;
    for (const id of enabled) {
      const a = stepActor(id);
      if (best < 0 || this.priority[a]! > this.priority[best]!) best = a;
    }
    const j = this.changePoints.indexOf(step + 1);
    if (j >= 0) this.priority[best] = this.depth - 1 - j;
    const mine = enabled.map((id, i) => [id, i] as const).filter(([id]) => stepActor(id) === best);
    return mine[rng.below(mine.length)]![1];
  }
}

export const pct: SamplingStrategy = {
  kind: 'sampling',
  name: 'pct',
  description: 'probabilistic concurrency testing, Burckhardt et al. 2010 (--pct-depth d); finds violations, proves nothing',
  createScheduler: ({ actors, pctDepth }) => new PctScheduler(actors, pctDepth),
};
