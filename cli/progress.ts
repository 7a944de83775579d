/**
 * The live progress line of a long run: `retry-ring:ring  1,234,567 states  depth 21  498,120 states/s
 * 612 MiB  0:03`, redrawn in place on stderr. Drawn with cli-progress (no hand-written cursor control),
 * only when stderr is a terminal, never with --quiet, and only once a run has lasted about a second, so
 * short runs print nothing extra. The engine calls `onProgress` every few thousand states; the line is
 * cleared when the run ends, before the report is printed.
 */
import { SingleBar } from 'cli-progress';
import type { CheckOptions } from '../checker/index.js';
import { bytes, num } from './format/common.js';
import type { CliIo } from './io.js';

export type ProgressSnapshot = Parameters<NonNullable<CheckOptions['onProgress']>>[0];

/** Runs shorter than this draw no progress line. */
export const PROGRESS_AFTER_MS = 1000;

export interface ProgressLine {
  readonly onProgress: (p: ProgressSnapshot) => void;
  /** Clears the line (if it was drawn). */
  stop(): void;
}

/** A terminal stream over the injected stderr: what cli-progress (through node:readline) writes to. */
function terminalStream(io: CliIo): NodeJS.WritableStream {
  return {
    isTTY: true,
    columns: io.columns ?? 80,
    write: (chunk: string | Uint8Array) => {
      io.stderr(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    },
    on: () => undefined,
    once: () => undefined,
    removeListener: () => undefined,
  } as unknown as NodeJS.WritableStream;
}

export function elapsedText(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The text of the line, from the engine's snapshot and the clock and memory probes. */
export function progressText(label: string, p: ProgressSnapshot, elapsedMs: number, memoryBytes: number): string {
  const rate = elapsedMs > 0 ? Math.round((p.states / elapsedMs) * 1000) : 0;
  return `${label}  ${num(p.states)} states  depth ${p.depth}  ${num(rate)} states/s  ${bytes(memoryBytes)}  ${elapsedText(elapsedMs)}`;
}

/** A progress line for one run, or a no-op when stderr is not a terminal or the user asked for quiet. */
export function progressLine(io: CliIo, label: string, quiet: boolean): ProgressLine {
  if (quiet || !io.stderrIsTTY) return { onProgress: () => undefined, stop: () => undefined };
  const start = io.now();
  let bar: SingleBar | undefined;
  let text = '';
  return {
    onProgress: (p) => {
      const elapsed = io.now() - start;
      if (elapsed < PROGRESS_AFTER_MS) return;
      text = progressText(label, p, elapsed, io.memory()).slice(0, Math.max(20, (io.columns ?? 80) - 1));
      if (!bar) {
        bar = new SingleBar({
          stream: terminalStream(io),
          format: () => text,
          hideCursor: false,
          clearOnComplete: true,
          // Wrapping stays on: the line is cut to the terminal's width instead, so a killed process
          // leaves no terminal mode behind.
          linewrap: true,
          gracefulExit: false,
          synchronousUpdate: true,
          fps: 5,
        });
        bar.start(1, 0);
      } else {
        bar.update(0);
      }
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
