/** The scenario registry: every built-in scenario, in the order `faultline list` shows them. */
import { retryRing } from './retry-ring.js';
import { gfs2MmapDeadlock } from './gfs2-mmap-deadlock.js';
import { faultInPartial } from './fault-in-partial.js';
import { faultInWindow } from './fault-in-window.js';
import { mteSubpage } from './mte-subpage.js';
import { kcoreRead } from './kcore-read.js';
import { faultRetrySignal } from './fault-retry-signal.js';
import { dioShortRead } from './dio-short-read.js';
import { stablePagesScenario } from './stable-pages.js';
import { iterDirectionScenario } from './iter-direction.js';
import { pipeAtomic } from './pipe-atomic.js';
import { btrfsDioAppend } from './btrfs-dio-append.js';
import { longtermPinCma } from './longterm-pin-cma.js';
import { madvPopulate } from './madv-populate.js';
import { dirtyPipe } from './dirty-pipe.js';
import { forkPin } from './fork-pin.js';
import { writePrefault } from './write-prefault.js';
import { largeFolioWrite } from './large-folio-write.js';
import { vmaLockFault } from './vma-lock-fault.js';
import { punchHole } from './punch-hole.js';
import type { AnyScenario } from './scenario.js';

export const scenarios: readonly AnyScenario[] = [
  retryRing as unknown as AnyScenario,
  gfs2MmapDeadlock as unknown as AnyScenario,
  faultInPartial as unknown as AnyScenario,
  mteSubpage as unknown as AnyScenario,
  dioShortRead as unknown as AnyScenario,
  faultInWindow as unknown as AnyScenario,
  kcoreRead as unknown as AnyScenario,
  faultRetrySignal as unknown as AnyScenario,
  stablePagesScenario as unknown as AnyScenario,
  iterDirectionScenario as unknown as AnyScenario,
  pipeAtomic as unknown as AnyScenario,
  btrfsDioAppend as unknown as AnyScenario,
  longtermPinCma as unknown as AnyScenario,
  madvPopulate as unknown as AnyScenario,
  dirtyPipe as unknown as AnyScenario,
  forkPin as unknown as AnyScenario,
  writePrefault as unknown as AnyScenario,
  largeFolioWrite as unknown as AnyScenario,
  vmaLockFault as unknown as AnyScenario,
  punchHole as unknown as AnyScenario,
];

export function findScenario(id: string): AnyScenario | undefined {
  return scenarios.find((s) => s.id === id);
}

export {
  buildErrorText,
  buildVariant,
  defineScenario,
  formatProvenance,
  paramNotTaken,
  provenanceProblem,
  parseTarget,
  resolveParams,
  resolveVariant,
  scenarioDefinitionProblem,
  ScenarioInputError,
  ValidateError,
  variantParams,
} from './scenario.js';
export type { AnyScenario, Expectation, ParamSpec, Provenance, Scenario, VariantSpec } from './scenario.js';
export { runScenario } from './run.js';
export type { ScenarioRun } from './run.js';
export { runGate } from './gate.js';
export type { GateEntry, GateReport, GateStatus } from './gate.js';
