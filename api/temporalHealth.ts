import type { Connection } from '@temporalio/client';

/**
 * Whether the Temporal server answers, checked in the background. While it does not, requests
 * get their 503 at once instead of each waiting out its deadline; when it answers again, they
 * go through by themselves.
 */
export class TemporalHealth {
  reachable: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly connection: Connection) {}

  async check(): Promise<boolean> {
    try {
      await this.connection.withDeadline(Date.now() + 1500, () => this.connection.workflowService.getSystemInfo({}));
      this.reachable = true;
    } catch {
      this.reachable = false;
    }
    return this.reachable;
  }

  start(intervalMs = 1000): void {
    const tick = (): void => {
      void this.check().finally(() => (this.timer = setTimeout(tick, intervalMs).unref()));
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
