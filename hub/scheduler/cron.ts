// node-cron in the site's time zone: a once-a-minute safety net that asks the scheduler to
// reconcile (the scheduler otherwise wakes itself at the next start or end on its clock), and a
// daily job just after local midnight so a new day's timeline is looked at even on an idle hub.
import cron, { type ScheduledTask } from 'node-cron';

export class SchedulerCron {
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly timezone: string,
    private readonly reconcile: () => void,
  ) {}

  start(): void {
    const opts = { timezone: this.timezone, noOverlap: true };
    this.tasks = [cron.schedule('* * * * *', () => this.reconcile(), opts), cron.schedule('5 0 0 * * *', () => this.reconcile(), opts)];
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.destroy()));
    this.tasks = [];
  }
}
