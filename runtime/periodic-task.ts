import type { Logger } from '../observability/logger';

/** Runs `run` every `intervalMs`, never two at once; `stop` waits for the pass under way. */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** `immediately`: a first pass right away, not only after the first interval. */
  start(options: { immediately?: boolean } = {}): this {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    if (options.immediately) this.tick();
    return this;
  }

  private tick(): void {
    this.running ??= this.run()
      .then(() => undefined)
      .catch((err: unknown) => this.log.warn({ err }, `${this.name} failed`))
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
