import type { UpdateProgress } from './update.js';

/**
 * What an update needs of a progress bar. src/cli/progress.ts's `Progress` has this shape (it
 * draws only on a TTY); it is named structurally so vulndb does not depend on the CLI.
 */
export interface ProgressBar {
  start(label: string, total: number): void;
  advance(n: number): void;
  finish(): void;
}

/**
 * Turns transfer events into bar calls: `updateFeeds({ …, progress: progressToBar(new Progress(io)) })`.
 * A resumed download starts the bar at the bytes the `.part` already held.
 */
export function progressToBar(bar: ProgressBar): (p: UpdateProgress) => void {
  let shown = 0;
  return (p) => {
    if (p.phase === 'start') {
      const name = p.file ?? new URL(p.url).pathname.split('/').pop() ?? p.url;
      bar.start(`${p.feed} ${name}`, p.total ?? 0);
      if (p.done > 0) bar.advance(p.done);
      shown = p.done;
      return;
    }
    if (p.phase === 'data') {
      bar.advance(p.done - shown);
      shown = p.done;
      return;
    }
    bar.finish();
  };
}
