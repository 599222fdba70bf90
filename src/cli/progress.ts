import type { CliIo } from './io.js';

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (silence
 * otherwise, so CI logs and pipes stay clean). Redraws at most every 100 ms.
 */
export class Progress {
  private total = 0;
  private done = 0;
  private label = '';
  private last = 0;
  private readonly enabled: boolean;

  constructor(private readonly io: CliIo) {
    this.enabled = io.stderr.isTTY === true && !io.env.CI;
  }

  start(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.done = 0;
    this.draw(true);
  }

  advance(n: number): void {
    this.done += n;
    this.draw(false);
  }

  step(label: string): void {
    this.label = label;
    this.draw(true);
  }

  finish(): void {
    if (this.enabled) this.io.stderr.write('\r\x1b[K');
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = Math.max(10, Math.min(40, (this.io.stderr.columns ?? 80) - 50));
    const ratio = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const filled = Math.round(ratio * width);
    const mb = (this.done / 1048576).toFixed(0);
    this.io.stderr.write(`\r\x1b[K${this.label.slice(0, 30).padEnd(30)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${mb} MB`);
  }
}
