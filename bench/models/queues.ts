/**
 * Two ways to hold a Promela model's channels in the world, behind one interface (promela.ts `Queues`):
 *  - `chanQueues`: one `chan()` field per channel, `q0`, `q1`, ...;
 *  - `arrayQueues`: hand-shifted world arrays, as models were written before `chan()`: `len[q]` and, per
 *    message field f, `buf<f>[q * capacity + i]`, received by shifting the rest down and zeroing the
 *    freed slot (so equal queues are equal states here too).
 */
import { array, chan, int, type Channel, type FieldSpecs, type ScalarField } from '../../checker/index.js';
import type { Queues } from './promela.js';

export type QueueStyle = 'chan' | 'array';

export interface QueueLayout {
  /** The world fields holding the channels. */
  readonly fields: FieldSpecs;
  readonly ops: Queues<any>;
}

/** `count` channels of `capacity` messages whose fields have the domains `message`. */
export function queues(style: QueueStyle, count: number, capacity: number, message: readonly ScalarField[]): QueueLayout {
  return style === 'chan' ? chanQueues(count, capacity, message) : arrayQueues(count, capacity, message);
}

function chanQueues(count: number, capacity: number, message: readonly ScalarField[]): QueueLayout {
  const fields: Record<string, ReturnType<typeof chan>> = {};
  const names = Array.from({ length: count }, (_, q) => `q${q}`);
  for (const n of names) fields[n] = chan(capacity, message);
  const at = (w: Record<string, Channel>, q: number): Channel => w[names[q]!]!;
  return {
    fields,
    ops: {
      canSend: (w, q) => !at(w, q).isFull(),
      send: (w, q, ...values) => at(w, q).send(...values),
      headIs: (w, q, ...values) => at(w, q).poll(...values),
      head: (w, q, field = 0) => at(w, q).peek(0, field),
      receive: (w, q) => void at(w, q).receive(),
    },
  };
}

interface ArrayWorld {
  len: Int32Array | number[];
  [buf: `buf${number}`]: Int32Array | number[];
}

function arrayQueues(count: number, capacity: number, message: readonly ScalarField[]): QueueLayout {
  const fields: FieldSpecs = { len: array(count, int(0, capacity)) };
  const bufs = message.map((_, f) => `buf${f}` as const);
  message.forEach((m, f) => {
    (fields as Record<string, unknown>)[bufs[f]!] = array(count * capacity, int(Math.min(0, m.min), Math.max(0, m.max)));
  });
  const ops: Queues<ArrayWorld> = {
    canSend: (w, q) => w.len[q]! < capacity,
    send: (w, q, ...values) => {
      const n = w.len[q]!;
      if (n >= capacity) throw new Error(`send to full channel ${q}`);
      values.forEach((v, f) => (w[bufs[f]!]![q * capacity + n] = v));
      w.len[q] = n + 1;
    },
    headIs: (w, q, ...values) => w.len[q]! > 0 && values.every((v, f) => w[bufs[f]!]![q * capacity] === v),
    head: (w, q, field = 0) => w[bufs[field]!]![q * capacity]!,
    receive: (w, q) => {
      const n = w.len[q]!;
      if (n === 0) throw new Error(`receive from empty channel ${q}`);
      for (const b of bufs) {
        const a = w[b]!;
        for (let i = 0; i + 1 < n; i++) a[q * capacity + i] = a[q * capacity + i + 1]!;
        a[q * capacity + n - 1] = 0;
      }
      w.len[q] = n - 1;
    },
  };
  return { fields, ops };
}
