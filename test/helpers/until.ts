// Polls a condition until it holds or a deadline passes: the suite's only way
// to wait for something (no sleeps standing in for conditions).

/** Resolves with `f()`'s first value that is neither undefined, null nor false; throws naming `what` after `ms`. */
export async function until<T>(what: string, ms: number, f: () => T | undefined | null | false | Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
