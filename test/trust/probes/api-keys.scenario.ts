/**
 * Probe (issue 14, api14): a key mistyped in the objects a scenario's build() returns. Each variant makes
 * one slip a user writing their own scenario could make; every one was silently ignored before (the run
 * used the default the user meant to change) and is now refused when the system is defined (exit 2).
 */
import { assign, setup } from 'xstate';
import { defineScenario, int, invariant, type SystemSpec } from 'faultline';

const machine = setup({}).createMachine({
  id: 'probe-keys',
  initial: 'run',
  context: { k: 0 },
  states: { run: { on: { step: { target: 'done', actions: assign({ k: 1 }) } } }, done: { type: 'final' } },
});

const variants = ['as-meant', 'system-key', 'actor-fairness', 'actor-choices', 'actor-cost-event', 'field-key', 'property-kind', 'bound-limit'] as const;
type Variant = (typeof variants)[number];

function build(variant: Variant): SystemSpec {
  const actor: Record<string, unknown> = { name: 'CPU0', machine, fields: { k: int(0, 1) } };
  if (variant === 'actor-fairness') actor.fairnes = 'strong';
  if (variant === 'actor-choices') actor.choice = { step: 2 };
  if (variant === 'actor-cost-event') Object.assign(actor, { kind: 'environment', budget: 1, cost: { stpe: 0 } });
  const world: Record<string, unknown> = { n: int(0, 1) };
  if (variant === 'field-key') world.m = { kind: 'scalar', min: 0, max: 2, init: 0, nmes: ['a', 'b', 'c'] };
  const properties: unknown[] = [invariant('n stays 0', (s) => s.world.n === 0)];
  if (variant === 'property-kind') properties.push({ kind: 'invarient', name: 'k stays 0', holds: () => false });
  if (variant === 'bound-limit') properties.push({ kind: 'bound', name: 'k at most', value: () => 1, limit: '0' });
  const system: Record<string, unknown> = { name: 'probe-api-keys', world, actors: [actor], properties };
  if (variant === 'system-key') system.symetric = { cpus: ['CPU0'] };
  return system as unknown as SystemSpec;
}

export default defineScenario({
  id: 'probe-api-keys',
  title: 'a key mistyped in a system, an actor, a field or a property',
  source: 'issue 14 probe',
  description: 'Each variant makes one slip; all but as-meant are refused when the system is defined.',
  params: {},
  variants: Object.fromEntries(
    variants.map((v) => [v, { description: v, expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } }]),
  ) as Record<Variant, { description: string; expected: { verdict: 'holds' }; provenance: { kind: 'hypothetical'; why: string } }>,
  defaultVariant: 'as-meant',
  build: (_params, variant) => build(variant),
});
