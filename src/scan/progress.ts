/**
 * A one-line progress bar for long scans, drawn on stderr only when stderr is a terminal (the
 * caller passes a writer only then): done/total, rate and time left. Redrawn at most every
 * 100 ms so drawing never costs more than the work it reports.
 */
const REDRAW_MS = 100;
const WIDTH = 24;

export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private readonly started: number;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly total: number,
    private readonly unit: string,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  tick(n = 1): void {
    this.done += n;
    const t = this.now();
    if (t - this.lastDraw < REDRAW_MS && this.done < this.total) return;
    this.lastDraw = t;
    this.write(`\r${this.line(t)}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the bar so the report starts on a clean line. */
  finish(): void {
    if (this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }

  line(t = this.now()): string {
    const total = Math.max(this.total, this.done);
    const frac = total ? this.done / total : 1;
    const filled = Math.round(frac * WIDTH);
    const secs = Math.max((t - this.started) / 1000, 0.001);
    const rate = this.done / secs;
    const eta = rate > 0 ? (total - this.done) / rate : NaN;
    return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${this.done}/${total} ${this.unit} · ${Math.round(rate)}/s · ETA ${clock(eta)}`;
  }
}

export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * A bar fed with counts a source reports (done, total): made when the total is first reported
 * (done = 0), so its rate starts with the work; finish() clears it, whether or not it was made.
 */
export class CountedProgress {
  private bar: ProgressBar | null = null;
  private done = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly unit: string,
  ) {}

  readonly report = (done: number, total: number): void => {
    if (!this.bar) this.bar = new ProgressBar(this.write, total, this.unit);
    if (done > this.done) this.bar.tick(done - this.done);
    this.done = Math.max(done, this.done);
  };

  finish(): void {
    this.bar?.finish();
  }
}
