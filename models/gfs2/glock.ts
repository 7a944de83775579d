/**
 * A gfs2 glock (fs/gfs2/glock.c) as a world fragment: the holders list `gl_holders` - granted holders
 * (HIF_HOLDER) first, then waiters in FIFO order - over a static table of holder slots (each slot is one
 * `struct gfs2_holder`: an owner task and a requested state).
 *
 * World fields of a glock with prefix `glock`:
 *   glockHolders    array(H): the list in order, each entry '-' or a holder slot's name
 *   glockGranted    0..H: how many entries at the front are granted (HIF_HOLDER)
 *   glockRecursive  the sticky "BUG() in add_to_queue()" flag (with recursion: 'trap', the default)
 *
 * What is modelled, from the kernel text:
 * - gfs2_glock_nq() -> add_to_queue(): a request whose owner already has a holder on the list (granted or
 *   waiting) is a recursive request: `trap_recursive:` dumps the glock and calls BUG() (every kernel since
 *   2.6; v5.16-v5.17 exempted holders with HIF_MAY_DEMOTE, v6.x holders without a meaningful pid, GL_NOPID).
 *   The request is not queued. Otherwise the holder goes to the tail of the list.
 * - run_queue() -> do_promote(): waiters are granted in list order while they are compatible with the
 *   granted holders - SH with SH, DF with DF, EX alone (may_grant(): "if either is EX" the head decides) -
 *   and promotion stops at the first waiter that is not: a compatible request does NOT barge past an
 *   incompatible waiter. With no granted holder the first waiter is granted whatever its state (do_xmote()
 *   changes the lock state first; the DLM round trip is folded into the grant).
 * - gfs2_glock_dq(): the holder leaves the list and the queue runs again.
 * - gfs2_holder_queued(): the holder is on the list.
 * Left out: LM_FLAG_TRY / PRIORITY / NODE_SCOPE holders, GLF_DEMOTE bookkeeping (a remote node's request
 * is modelled as an EX holder in the same FIFO: while it is pending, new local holders wait behind it, as
 * run_queue() does not promote while a demote is pending), the glock's cached state after the last dq.
 *
 * `autoDemote` adds glock holder auto-demotion as v5.16 - v5.17 shipped it (dc732906c245 "gfs2: Introduce
 * flag for glock holder auto-demotion", used by 00bfe02f4796 "gfs2: Fix mmap + page fault deadlocks for
 * buffered I/O"; left unused from v5.18 by e1fa9ea85ce8 "gfs2: Stop using glock holder auto-demotion for
 * now"). Two more fields: `glockState`, the lock state gl_state the node holds (UN until the first grant;
 * cached after the last dq), and `glockWeak`, the holders with HIF_MAY_DEMOTE set
 * (gfs2_holder_allow_demote() / gfs2_holder_disallow_demote(): `glockAllowDemote`, `glockDisallowDemote`).
 * What changes, from the v5.16 text:
 * - add_to_queue(): another holder of the same owner is not recursive while it has HIF_MAY_DEMOTE.
 * - do_promote(): the holder the waiters are checked against is the first STRONG granted holder
 *   (find_first_strong_holder()); with none, may_grant(gl, NULL, gh) compares with gl_state: granted if
 *   gh_state == gl_state, or gl_state is EX and gh wants SH or DF. A waiter at the head of the list that
 *   may not be granted changes gl_state first (do_xmote(), folded into the grant); one behind granted
 *   holders stops the promotion. Before the first grant, demote_incompat_holders() dequeues the weak
 *   holders that may not share the glock with ... - 'v5.16': the first strong holder, NULL when there is
 *   none, so that no weak holder is ever incompatible (may_grant(gl, NULL, weak) compares with gl_state,
 *   under which the weak holder was granted): a request compatible with gl_state is granted NEXT TO an
 *   incompatible weak holder; 'v6.0': the new holder (0befb8511e6a "gfs2: do_promote glock holder
 *   stealing fix", which landed after auto-demotion was switched off).
 * - A remote node's request (a holder with `remote: true`): gfs2_glock_cb() dequeues every weak holder when
 *   no strong holder is granted (a mock EX holder against which nothing is compatible), and
 *   __gfs2_glock_dq() does the same once the last strong holder leaves while the demote is pending. The
 *   remote request is granted only with no local holder granted, and leaves gl_state UN.
 *
 * `recursion: 'queue'` is NOT a kernel: it treats a recursive request like any other, so that the
 * single-file deadlock one would expect if add_to_queue() did not trap the recursion can be shown and compared.
 */
import { array, assertShape, bool, enumOf, int, invariant, type FieldSpecs, type Property, type Shape, type StateView } from '../../checker/index.js';
import { NAME_OPTIONS } from '../options.js';

/** Lock states (include/linux/lm_interface.h / glock.h values). */
export const LM_ST_UNLOCKED = 0;
export const LM_ST_EXCLUSIVE = 1;
export const LM_ST_DEFERRED = 2;
export const LM_ST_SHARED = 3;
export const LM_ST_NAMES = ['UN', 'EX', 'DF', 'SH'] as const;
export type LmStateName = 'SH' | 'DF' | 'EX';

/** gfs2_glock_nq() outcomes. */
export const GLOCK_GRANTED = 0;
export const GLOCK_WAITING = 1;
/** add_to_queue(): trap_recursive, BUG(). */
export const GLOCK_RECURSIVE = 2;
export const GLOCK_NQ_NAMES = ['granted', 'waiting', 'recursive'] as const;

export interface GlockHolderSpec {
  /** The name traces print for this holder in the list, e.g. 'CPU0.read:SH'. */
  readonly name: string;
  /** The task that owns the holder (gh_owner_pid): holders with the same owner make a request recursive. */
  readonly owner: string;
  /** The requested state (gh_state). */
  readonly state: LmStateName;
  /** With `autoDemote`: a remote node's request (a demote callback), not a local holder. Default false. */
  readonly remote?: boolean;
}

export interface GlockOptions {
  /** World field prefix. Default 'glock'. */
  readonly prefix?: string;
  /** The name messages use for the glock. Default 'G'. */
  readonly display?: string;
  /** The holder slots (1..8). */
  readonly holders: readonly GlockHolderSpec[];
  /** 'trap' (default, the kernel): a recursive request sets the BUG flag; 'queue': queued like any other (not a kernel). */
  readonly recursion?: 'trap' | 'queue';
  /** Glock holder auto-demotion (HIF_MAY_DEMOTE) with do_promote() as in 'v5.16' (dc732906c245) or 'v6.0' (0befb8511e6a). Default: none. */
  readonly autoDemote?: 'v5.16' | 'v6.0';
  /** With autoDemote: the lock state the node holds at the start, with no holder (gl_state cached from earlier use). Default 'UN'. */
  readonly cached?: 'UN' | LmStateName;
}

/** Every option of defineGlock: a key not listed is a typo, refused rather than left at its default. */
const GLOCK_OPTIONS: Shape<GlockOptions> = {
  prefix: 'string',
  display: 'string',
  holders: 'array',
  recursion: 'checked',
  autoDemote: 'checked',
  cached: 'checked',
};
/** A holder slot: a misspelt `remot` would make a remote holder local. */
const HOLDER_SPEC: Shape<GlockHolderSpec> = { name: 'string', owner: 'string', state: 'checked', remote: 'boolean' };

export interface Glock {
  readonly prefix: string;
  readonly display: string;
  readonly holders: readonly GlockHolderSpec[];
  /** Per slot: LM_ST_*. */
  readonly holderState: Int32Array;
  /** Per slot: owner index (owners numbered in order of first appearance). */
  readonly holderOwner: Int32Array;
  readonly trap: boolean;
  readonly kHolders: string;
  readonly kGranted: string;
  /** '' without the trap. */
  readonly kRecursive: string;
  /** '' without auto-demotion. */
  readonly autoDemote: '' | 'v5.16' | 'v6.0';
  /** Per slot: 1 for a remote node's request. */
  readonly holderRemote: Uint8Array;
  /** gl_state and the HIF_MAY_DEMOTE mask; '' without auto-demotion. */
  readonly kState: string;
  readonly kWeak: string;
  /**
   * Two private copies of the glock's fields for the pure outcomes (an outer and a nested one): a request
   * is run on a copy, never on the world, which guards may only read.
   */
  readonly scratch: readonly [Slots, Slots];
  readonly fields: FieldSpecs;
}

type Slots = Record<string, any>;

/** Builds the glock descriptor. */
export function defineGlock(o: GlockOptions): Glock {
  assertShape(o, GLOCK_OPTIONS, 'defineGlock() options');
  if (Array.isArray(o.holders)) o.holders.forEach((h, i) => assertShape(h, HOLDER_SPEC, `defineGlock() options: holders[${i}]`));
  const prefix = o.prefix ?? 'glock';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new TypeError(`glock prefix '${prefix}' is not a plain identifier`);
  const H = o.holders.length;
  if (H < 1 || H > 8) throw new RangeError(`glock: ${H} holder slots; 1..8 are supported`);
  const names = o.holders.map((h) => h.name);
  if (new Set(names).size !== H) throw new RangeError('glock: holder names must be unique');
  const owners: string[] = [];
  const holderOwner = Int32Array.from(o.holders, (h) => {
    if (!owners.includes(h.owner)) owners.push(h.owner);
    return owners.indexOf(h.owner);
  });
  const holderState = Int32Array.from(o.holders, (h) => {
    const i = LM_ST_NAMES.indexOf(h.state);
    if (i <= 0) throw new RangeError(`glock: holder '${h.name}' state '${h.state}' is not SH, DF or EX`);
    return i;
  });
  const recursion = o.recursion ?? 'trap';
  if (recursion !== 'trap' && recursion !== 'queue') throw new RangeError(`glock: recursion '${String(recursion)}' is not 'trap' or 'queue'`);
  const fields: Record<string, FieldSpecs[string]> = {
    [`${prefix}Holders`]: array(H, enumOf(['-', ...names])),
    [`${prefix}Granted`]: int(0, H),
  };
  if (recursion === 'trap') fields[`${prefix}Recursive`] = bool();
  const autoDemote = o.autoDemote ?? '';
  if (autoDemote !== '' && autoDemote !== 'v5.16' && autoDemote !== 'v6.0')
    throw new RangeError(`glock: autoDemote '${String(autoDemote)}' is not 'v5.16' or 'v6.0'`);
  if (autoDemote) {
    const cached = o.cached ?? 'UN';
    if (!(LM_ST_NAMES as readonly string[]).includes(cached)) throw new RangeError(`glock: cached '${String(cached)}' is not UN, SH, DF or EX`);
    fields[`${prefix}State`] = enumOf(LM_ST_NAMES, cached);
    fields[`${prefix}Weak`] = int(0, (1 << H) - 1);
  }
  const holderRemote = Uint8Array.from(o.holders, (h) => (h.remote ? 1 : 0));
  if (!autoDemote && holderRemote.some((r) => r === 1)) throw new RangeError('glock: remote holders are modelled only with autoDemote');
  if (!autoDemote && o.cached !== undefined) throw new RangeError('glock: a cached state is modelled only with autoDemote');
  return {
    prefix,
    display: o.display ?? 'G',
    holders: o.holders,
    holderState,
    holderOwner,
    trap: recursion === 'trap',
    kHolders: `${prefix}Holders`,
    kGranted: `${prefix}Granted`,
    kRecursive: recursion === 'trap' ? `${prefix}Recursive` : '',
    autoDemote,
    holderRemote,
    kState: autoDemote ? `${prefix}State` : '',
    kWeak: autoDemote ? `${prefix}Weak` : '',
    scratch: [scratchWorld(prefix, H), scratchWorld(prefix, H)],
    fields,
  };
}

/** The slot index of the holder named `name`. */
export function glockHolder(g: Glock, name: string): number {
  const i = g.holders.findIndex((h) => h.name === name);
  if (i < 0) throw new RangeError(`glock '${g.prefix}': no holder named '${name}' (holders: ${g.holders.map((h) => h.name).join(', ')})`);
  return i;
}

function list(w: object, g: Glock): ArrayLike<number> & { [i: number]: number } {
  return (w as Slots)[g.kHolders];
}

function listLength(w: object, g: Glock): number {
  const l = list(w, g);
  let n = 0;
  while (n < g.holders.length && l[n] !== 0) n++;
  return n;
}

/** Granted holders at the front of the list. */
export function glockGrantedCount(w: object, g: Glock): number {
  return (w as Slots)[g.kGranted] as number;
}

/** The list position of holder h, or -1 (gfs2_holder_queued() is `>= 0`). */
export function glockPosition(w: object, g: Glock, h: number): number {
  const l = list(w, g);
  for (let i = 0; i < g.holders.length; i++) if (l[i] === h + 1) return i;
  return -1;
}

/** gfs2_holder_queued(gh): the holder is on the list (granted or waiting). */
export function glockQueued(w: object, g: Glock, h: number): boolean {
  return glockPosition(w, g, h) >= 0;
}

/** The holder is granted (HIF_HOLDER). */
export function glockGranted(w: object, g: Glock, h: number): boolean {
  const i = glockPosition(w, g, h);
  return i >= 0 && i < glockGrantedCount(w, g);
}

/** The glock's current state as the granted holders see it: their state, or UN with none. */
export function glockState(w: object, g: Glock): number {
  if (glockGrantedCount(w, g) === 0) return LM_ST_UNLOCKED;
  return g.holderState[list(w, g)[0]! - 1]!;
}

/** No holder at all, granted or waiting. */
export function glockIdle(w: object, g: Glock): boolean {
  return list(w, g)[0] === 0;
}

/** The BUG() flag of add_to_queue()'s recursion trap is set. */
export function glockRecursiveTrapped(w: object, g: Glock): boolean {
  return g.kRecursive !== '' && (w as Slots)[g.kRecursive] === 1;
}

/** Another holder of h's owner is on the list: a request by h would be recursive. */
export function glockRecursiveRequest(w: object, g: Glock, h: number): boolean {
  const l = list(w, g);
  const owner = g.holderOwner[h]!;
  const weak = g.autoDemote ? ((w as Slots)[g.kWeak] as number) : 0;
  for (let i = 0; i < g.holders.length; i++) {
    const v = l[i]!;
    if (v !== 0 && g.holderOwner[v - 1] === owner && (weak & (1 << (v - 1))) === 0) return true;
  }
  return false;
}

function compatible(head: number, st: number): boolean {
  return head === st && st !== LM_ST_EXCLUSIVE;
}

/** do_promote(): grant waiters in order while they are compatible; stop at the first that is not. */
function promote(w: object, g: Glock): void {
  if (g.autoDemote) return promoteAutoDemote(w, g);
  const l = list(w, g);
  const n = listLength(w, g);
  let granted = glockGrantedCount(w, g);
  while (granted < n) {
    const st = g.holderState[l[granted]! - 1]!;
    if (granted > 0 && !compatible(g.holderState[l[0]! - 1]!, st)) break;
    granted++;
  }
  (w as Slots)[g.kGranted] = granted;
}

/** What gfs2_glock_nq(h) would do now: GLOCK_GRANTED, GLOCK_WAITING or GLOCK_RECURSIVE. Pure. */
export function glockNqOutcome(w: object, g: Glock, h: number): number {
  if (glockQueued(w, g, h)) throw new Error(`gfs2_glock_nq: holder '${g.holders[h]!.name}' is already queued`);
  if (g.trap && glockRecursiveRequest(w, g, h)) return GLOCK_RECURSIVE;
  if (g.autoDemote) {
    // Auto-demotion may dequeue weak holders on the way: run the request on a copy of the glock.
    return enqueue(copyOf(w, g, 0), g, h);
  }
  const n = listLength(w, g);
  const granted = glockGrantedCount(w, g);
  if (n === 0) return GLOCK_GRANTED;
  if (granted === n && compatible(g.holderState[list(w, g)[0]! - 1]!, g.holderState[h]!)) return GLOCK_GRANTED;
  return GLOCK_WAITING;
}

/** A request by h would be granted at once (not recursive, nothing waiting, compatible). Pure. */
export function glockWouldGrant(w: object, g: Glock, h: number): boolean {
  return !glockQueued(w, g, h) && glockNqOutcome(w, g, h) === GLOCK_GRANTED;
}

/**
 * gfs2_glock_nq(h): add_to_queue() then run_queue(). Returns the outcome; a recursive request (with the
 * trap) sets the BUG flag and queues nothing.
 */
export function glockNq(w: object, g: Glock, h: number): number {
  const o = glockNqOutcome(w, g, h);
  if (o === GLOCK_RECURSIVE) {
    (w as Slots)[g.kRecursive] = 1;
    return o;
  }
  return enqueue(w, g, h);
}

/** add_to_queue() past the recursion check, then run_queue(): the outcome for h. */
function enqueue(w: object, g: Glock, h: number): number {
  const l = list(w, g);
  l[listLength(w, g)] = h + 1;
  // gfs2_glock_cb(): a remote request with no strong holder granted takes the weak ones away at once.
  if (g.autoDemote && g.holderRemote[h] === 1 && firstStrongHolder(w, g) < 0) dequeueWeak(w, g, -2);
  promote(w, g);
  return glockGranted(w, g, h) ? GLOCK_GRANTED : GLOCK_WAITING;
}

/** gfs2_glock_dq(h) of a granted holder: it leaves the list and waiters are promoted. */
export function glockDq(w: object, g: Glock, h: number): void {
  const i = glockPosition(w, g, h);
  const granted = glockGrantedCount(w, g);
  if (i < 0 || i >= granted) throw new Error(`gfs2_glock_dq: holder '${g.holders[h]!.name}' is not granted`);
  removeAt(w, g, i);
  // __gfs2_glock_dq(): with a remote demote pending and no strong holder left, the weak holders go too.
  if (g.autoDemote && remoteWaiting(w, g) && firstStrongHolder(w, g) < 0) dequeueWeak(w, g, -2);
  promote(w, g);
}

/** Removes list entry i (a granted holder) and clears its HIF_MAY_DEMOTE. */
function removeAt(w: object, g: Glock, i: number): void {
  const l = list(w, g);
  const H = g.holders.length;
  const h = l[i]! - 1;
  for (let j = i; j < H - 1; j++) l[j] = l[j + 1]!;
  l[H - 1] = 0;
  (w as Slots)[g.kGranted] = glockGrantedCount(w, g) - 1;
  if (g.autoDemote) (w as Slots)[g.kWeak] = ((w as Slots)[g.kWeak] as number) & ~(1 << h);
}

function weakMask(w: object, g: Glock): number {
  return (w as Slots)[g.kWeak] as number;
}

/** find_first_strong_holder(): the slot of the first granted holder without HIF_MAY_DEMOTE, or -1. */
function firstStrongHolder(w: object, g: Glock): number {
  const l = list(w, g);
  const weak = weakMask(w, g);
  const granted = glockGrantedCount(w, g);
  for (let i = 0; i < granted; i++) if ((weak & (1 << (l[i]! - 1))) === 0) return l[i]! - 1;
  return -1;
}

function remoteWaiting(w: object, g: Glock): boolean {
  const l = list(w, g);
  const n = listLength(w, g);
  for (let i = glockGrantedCount(w, g); i < n; i++) if (g.holderRemote[l[i]! - 1] === 1) return true;
  return false;
}

/**
 * may_grant(gl, current_gh, gh) of v5.16: against a granted holder `cur`, SH with SH and DF with DF (EX
 * shares with nothing); with no current holder (-1), against gl_state: the same state, or SH / DF under
 * EX. -2 is gfs2_glock_cb()'s mock EX holder, compatible with nothing.
 */
function mayGrant(w: object, g: Glock, cur: number, h: number): boolean {
  const st = g.holderState[h]!;
  if (cur === -2) return false;
  if (cur >= 0) return compatible(g.holderState[cur]!, st);
  const gl = (w as Slots)[g.kState] as number;
  return gl === st || (gl === LM_ST_EXCLUSIVE && (st === LM_ST_SHARED || st === LM_ST_DEFERRED));
}

/** demote_incompat_holders(gl, cur): __gfs2_glock_dq() of every granted weak holder that may not share with cur. */
function dequeueWeak(w: object, g: Glock, cur: number): void {
  const l = list(w, g);
  for (let i = 0; i < glockGrantedCount(w, g);) {
    const x = l[i]! - 1;
    if (x !== cur && (weakMask(w, g) & (1 << x)) !== 0 && !mayGrant(w, g, cur, x)) removeAt(w, g, i);
    else i++;
  }
}

/** do_promote() with auto-demotion (see the header); a head waiter that may not be granted is granted after do_xmote(). */
function promoteAutoDemote(w: object, g: Glock): void {
  const l = list(w, g);
  let cur = firstStrongHolder(w, g);
  let demoted = false;
  while (glockGrantedCount(w, g) < listLength(w, g)) {
    const granted = glockGrantedCount(w, g);
    const h = l[granted]! - 1;
    const remote = g.holderRemote[h] === 1;
    if (remote || !mayGrant(w, g, cur, h)) {
      if (granted > 0) break;
      // run_queue() -> do_xmote(): the lock changes state (a remote grant leaves this node UN).
      (w as Slots)[g.kState] = remote ? LM_ST_UNLOCKED : g.holderState[h]!;
    }
    if (!demoted) {
      demoted = true;
      dequeueWeak(w, g, g.autoDemote === 'v5.16' ? cur : h);
    }
    (w as Slots)[g.kGranted] = glockGrantedCount(w, g) + 1;
    cur = h;
  }
}

/** A world of the glock's fields alone (list, granted count, gl_state, weak mask, BUG flag), for `copyOf`. */
function scratchWorld(prefix: string, H: number): Slots {
  const o: Slots = { [`${prefix}Holders`]: new Array<number>(H).fill(0), [`${prefix}Granted`]: 0, [`${prefix}State`]: 0, [`${prefix}Weak`]: 0 };
  o[`${prefix}Recursive`] = 0;
  return o;
}

/** The glock's fields copied into private copy `k` (0 or 1) of g.scratch: what a pure outcome runs a request on. */
function copyOf(w: object, g: Glock, k: 0 | 1): Slots {
  const c = g.scratch[k];
  const l = list(w, g);
  const cl = c[g.kHolders] as number[];
  for (let i = 0; i < g.holders.length; i++) cl[i] = l[i]!;
  c[g.kGranted] = glockGrantedCount(w, g);
  if (g.kState) c[g.kState] = (w as Slots)[g.kState] as number;
  if (g.kWeak) c[g.kWeak] = weakMask(w, g);
  if (g.kRecursive) c[g.kRecursive] = (w as Slots)[g.kRecursive] as number;
  return c;
}

/** gfs2_holder_allow_demote(h): sets HIF_MAY_DEMOTE (no queue run: a waiter is not promoted by this alone). */
export function glockAllowDemote(w: object, g: Glock, h: number): void {
  if (!g.autoDemote) throw new Error(`gfs2_holder_allow_demote: glock ${g.display} has no autoDemote`);
  (w as Slots)[g.kWeak] = weakMask(w, g) | (1 << h);
}

/** gfs2_holder_disallow_demote(h): clears HIF_MAY_DEMOTE. */
export function glockDisallowDemote(w: object, g: Glock, h: number): void {
  if (!g.autoDemote) throw new Error(`gfs2_holder_disallow_demote: glock ${g.display} has no autoDemote`);
  (w as Slots)[g.kWeak] = weakMask(w, g) & ~(1 << h);
}

/** gfs2_glock_dq(dq) then gfs2_glock_nq(nq) would grant nq at once (auto-demotion included). Pure. */
export function glockDqThenNqGrants(w: object, g: Glock, dq: number, nq: number): boolean {
  if (!g.autoDemote) throw new Error(`glockDqThenNqGrants: glock ${g.display} has no autoDemote`);
  const c = copyOf(w, g, 1);
  glockDq(c, g, dq);
  return glockNqOutcome(c, g, nq) === GLOCK_GRANTED;
}

/**
 * Glock exclusion: the granted holders share the glock as may_grant() allows - EX alone, SH with SH, DF
 * with DF. Needs autoDemote (without it the FIFO grant cannot break it).
 */
export function glockExclusion(g: Glock, options: { readonly name?: string } = {}): Property {
  assertShape(options, NAME_OPTIONS, 'glockExclusion() options');
  if (!g.autoDemote) throw new Error(`glockExclusion: glock ${g.display} has no autoDemote (without it grants are exclusive by construction)`);
  const bad = (s: StateView): string | null => {
    const l = list(s.world, g);
    const n = glockGrantedCount(s.world, g);
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const a = l[i]! - 1;
        const b = l[j]! - 1;
        if (!compatible(g.holderState[a]!, g.holderState[b]!)) return `${g.holders[a]!.name} and ${g.holders[b]!.name}`;
      }
    return null;
  };
  return invariant(options.name ?? 'glock exclusion', (s: StateView) => bad(s) === null, {
    description: `glock ${g.display} is granted only to holders that may share it (EX alone, SH with SH, DF with DF)`,
    explain: (s: StateView) => `glock ${g.display} is granted to ${bad(s) ?? '?'} at once: incompatible holders`,
  });
}

/** For `meta.waitsFor`: what holder h waits behind, e.g. "glock (SH) behind CPU1:EX". */
export function glockWaitsFor(w: object, g: Glock, h: number): string {
  const l = list(w, g);
  const i = glockPosition(w, g, h);
  const ahead: string[] = [];
  for (let j = 0; j < (i < 0 ? listLength(w, g) : i); j++) ahead.push(g.holders[l[j]! - 1]!.name);
  const want = LM_ST_NAMES[g.holderState[h]!];
  return `glock ${g.display} in ${want}${ahead.length ? ` behind ${ahead.join(', ')}` : ''}`;
}

/**
 * No recursive glock request: a task never requests a glock it already holds or waits for
 * - gfs2 traps it in add_to_queue() with BUG(). Needs the trap. With several glocks, one property covers
 * them all (each trap is per glock: a request on another glock is never recursive).
 */
export function noRecursiveGlock(glocks: Glock | readonly Glock[], options: { readonly name?: string } = {}): Property {
  assertShape(options, NAME_OPTIONS, 'noRecursiveGlock() options');
  const gs: readonly Glock[] = Array.isArray(glocks) ? glocks : [glocks as Glock];
  if (gs.length === 0) throw new RangeError('noRecursiveGlock: no glock');
  for (const g of gs) if (!g.trap) throw new Error(`noRecursiveGlock: glock ${g.display} has no recursion trap (recursion: 'queue')`);
  const names = gs.map((g) => g.display);
  const which = `glock ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`}`;
  const holds = (s: StateView): boolean => {
    for (const g of gs) if (glockRecursiveTrapped(s.world, g)) return false;
    return true;
  };
  return invariant(options.name ?? 'no recursive glock', holds, {
    description: `no task requests ${which} while it already has a holder on it (add_to_queue(): trap_recursive, BUG())`,
    explain: (s: StateView) => {
      const g = gs.find((x) => glockRecursiveTrapped(s.world, x)) ?? gs[0]!;
      return `a task requested glock ${g.display} while holding it: add_to_queue() -> trap_recursive -> BUG()`;
    },
  });
}
