/** Random walk: every enabled step is equally likely at every point. */
import type { SamplingStrategy } from './strategy.js';

export const random: SamplingStrategy = {
  kind: 'sampling',
  name: 'random',
  description: 'seeded random walks (--executions, --max-depth, --seed); finds violations, proves nothing',
  createScheduler: () => ({
    newExecution: () => {},
    pick: (enabled, _depth, rng) => rng.below(enabled.length),
  }),
};
