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
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else this.out.write(text + '\n');
  }
}
