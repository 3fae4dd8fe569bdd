/**
 * Runs `run` now and then `intervalMs` after each run ends, one run at a time, until `stop()`; a run's
 * failure is its own to report (`run` should catch). The clocks of `serve` (deadlines, audit checkpoints)
 * use it.
 */
export function every(intervalMs: number, run: () => Promise<void>) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = run().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();
  return {
    /** Stops the clock, waiting for a run in progress to finish. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
