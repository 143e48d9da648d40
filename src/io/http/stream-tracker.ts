// Counts the streams that hold a file descriptor or an upstream socket, so
// metrics show them and close() can wait until every one is released.
import type { EventEmitter } from 'node:events';

export class StreamTracker {
  readonly #open = new Set<EventEmitter>();
  readonly #waiters: (() => void)[] = [];

  /** `onChange` gets +1 and -1, so several servers can share one gauge. */
  constructor(private readonly onChange: (delta: 1 | -1) => void = () => undefined) {}

  get open(): number {
    return this.#open.size;
  }

  /** A stream (or a file sender) counts until its 'close' (for a file: after its descriptor is closed). */
  track(s: EventEmitter): void {
    if (this.#open.has(s)) return;
    this.#open.add(s);
    this.onChange(1);
    s.once('close', () => {
      this.#open.delete(s);
      this.onChange(-1);
      if (this.#open.size === 0) for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Resolves once no tracked stream is open. */
  drained(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
