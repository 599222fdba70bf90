// What must not outlive an interrupted bench (Ctrl-C, SIGTERM): the dockerds and plugins it
// started, by pid, and the plugin sockets it made. Normal runs clean up in their own
// `finally`; these synchronous undo steps run only when a signal cuts the run short.
const steps = new Set();

/** Registers an undo step; returns the function that unregisters it (call it once done). */
export function onInterrupt(step) {
  steps.add(step);
  return () => steps.delete(step);
}

export function installInterruptHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      process.stderr.write(`[bench] ${signal}: stopping what the bench started\n`);
      for (const step of [...steps].reverse()) {
        try {
          step();
        } catch {
          // Best effort: the next step still runs.
        }
      }
      process.exit(130);
    });
  }
}
