/**
 * One terminal line shared by several progresses that advance together
 * (`parley import`: the import and the rebuild that follows it), each shown
 * as a part of it, so that neither overwrites the other.
 */
export class ProgressLine {
  private readonly parts = new Map<string, string>();

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  show(label: string, text: string): void {
    this.parts.set(label, text);
    this.out.write(`\r\x1b[2K${[...this.parts.values()].join('  |  ')}`);
  }

  /** The part is finished: it leaves the shared line (and is printed on a line of its own). */
  remove(label: string): void {
    this.parts.delete(label);
  }
}

/**
 * Progress on a terminal (one redrawn line: position, events/s, time left) and
 * plain log lines otherwise, so CI logs and pipes stay readable.
 */
export class Progress {
  private readonly started = Date.now();
  private lastPrint = 0;

  constructor(
    private readonly label: string,
    private readonly total: bigint | null,
    private readonly out: NodeJS.WriteStream = process.stderr,
    /** A line shared with progresses that run at the same time; on a terminal only. */
    private readonly line: ProgressLine | null = null,
  ) {}

  update(position: bigint, done: number): void {
    const now = Date.now();
    if (now - this.lastPrint < (this.out.isTTY ? 100 : 2000)) return;
    this.lastPrint = now;
    this.print(position, done, false);
  }

  finish(position: bigint | null, done: number): void {
    this.print(position ?? 0n, done, true);
  }

  private print(position: bigint, done: number, final: boolean): void {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = done / seconds;
    const share = this.total && this.total > 0n ? Number((position * 1000n) / this.total) / 10 : null;
    const left =
      share !== null && share > 0 && !final ? `, ${Math.round((seconds * (100 - share)) / share)} s left` : '';
    const text = `${this.label}: position ${position.toString()}${share !== null ? ` (${share.toFixed(1)}%)` : ''}, ${done} events, ${Math.round(rate)} events/s${left}${final ? `, done in ${seconds.toFixed(1)} s` : ''}`;
    if (!this.out.isTTY) {
      this.out.write(text + '\n');
    } else if (this.line !== null && !final) {
      this.line.show(this.label, text);
    } else {
      this.line?.remove(this.label);
      this.out.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    }
  }
}
