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

  start(): this {
    this.timer = setInterval(() => {
      this.running ??= this.run()
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ err }, `${this.name} failed`))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
