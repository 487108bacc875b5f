import type { Alert } from '../../../shared/schema/alert.js';
import { webhookLabel, type Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { backoffDelayMs, decideDelivery, type DeliveryOutcome } from '../core/webhook-retry.js';

// One queue and one worker per webhook, so a receiver that keeps failing delays only itself: the engine
// only enqueues (never awaits a webhook), and a full queue drops its oldest alert, counted and logged at most
// once per interval. Deliveries are at least once: a retry after a timeout may reach a receiver twice, so
// every request carries alert.id and state (`x-hangwatch-alert-id`, `x-hangwatch-alert-state`,
// `idempotency-key`) for the receiver to deduplicate. The secret goes in a header and is never logged.

export interface WebhookOptions {
  readonly url: string;
  readonly secret: string | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly queueMax: number;
  readonly overflowReportIntervalMs: number;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Injected so tests need not wait; defaults to setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class WebhookSender {
  private readonly queue: Alert[] = [];
  private readonly label: string;
  private readonly logger: Logger;
  private working = false;
  private stopping = false;
  private idle: Promise<void> = Promise.resolve();
  private droppedSinceReport = 0;
  private lastReportAt = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly target: string;
  private readonly authorization: string | undefined;
  private readonly delivered;
  private readonly failed;
  private readonly dropped;
  private readonly attempts;

  constructor(private readonly options: WebhookOptions) {
    this.label = webhookLabel(options.url);
    // fetch refuses URLs with credentials: user:password@ becomes a Basic authorization header.
    const url = new URL(options.url);
    this.authorization = url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
    url.username = '';
    url.password = '';
    this.target = url.toString();
    this.logger = options.logger.child({ component: 'webhook', webhook: this.label });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
    const m = options.metrics;
    this.delivered = m.counter('hangwatch_alerter_webhook_delivered_total', 'Alert state changes delivered to a webhook');
    this.failed = m.counter('hangwatch_alerter_webhook_failures_total', 'Alert state changes a webhook never accepted (after retries, or refused with 4xx)');
    this.dropped = m.counter('hangwatch_alerter_webhook_dropped_total', 'Alert state changes dropped because a webhook queue was full');
    this.attempts = m.counter('hangwatch_alerter_webhook_attempts_total', 'Webhook requests made, including retries');
  }

  get pending(): number {
    return this.queue.length + (this.working ? 1 : 0);
  }

  enqueue(alert: Alert): void {
    if (this.stopping) return;
    if (this.queue.length >= this.options.queueMax) {
      this.queue.shift();
      this.dropped.inc({ webhook: this.label });
      this.droppedSinceReport++;
      this.reportOverflow(false);
    }
    this.queue.push(alert);
    if (!this.working) this.idle = this.work();
  }

  /** Lets queued deliveries run until the deadline, then gives the rest up (counted as failures). */
  async drain(deadlineMs: number): Promise<void> {
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deadlineMs).unref());
    const result = await Promise.race([this.idle.then(() => 'drained' as const), timeout]);
    this.stopping = true;
    this.reportOverflow(true);
    if (result === 'timeout' && this.queue.length > 0) {
      this.failed.inc({ webhook: this.label }, this.queue.length);
      this.logger.warn({ undelivered: this.queue.length }, 'stopping with undelivered webhook alerts');
      this.queue.length = 0;
    }
  }

  private reportOverflow(force: boolean): void {
    const now = Date.now();
    if (this.droppedSinceReport === 0) return;
    if (!force && now - this.lastReportAt < this.options.overflowReportIntervalMs) return;
    this.logger.warn({ dropped: this.droppedSinceReport, queueMax: this.options.queueMax }, 'webhook queue full: oldest alerts dropped');
    this.droppedSinceReport = 0;
    this.lastReportAt = now;
  }

  private async work(): Promise<void> {
    this.working = true;
    try {
      for (let alert = this.queue.shift(); alert; alert = this.queue.shift()) await this.deliver(alert);
    } finally {
      this.working = false;
    }
  }

  private async deliver(alert: Alert): Promise<void> {
    const body = JSON.stringify(alert);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.post(alert, body);
      this.attempts.inc({ webhook: this.label });
      const decision = decideDelivery(outcome);
      if (decision === 'delivered') {
        this.delivered.inc({ webhook: this.label });
        return;
      }
      const detail = outcome.kind === 'status' ? `HTTP ${outcome.status}` : outcome.kind;
      if (decision === 'give-up' || attempt > this.options.retries || this.stopping) {
        this.failed.inc({ webhook: this.label });
        this.logger.warn({ alertId: alert.alert.id, state: alert.alert.state, attempts: attempt, outcome: detail }, 'webhook delivery failed');
        return;
      }
      const delay = backoffDelayMs(attempt, this.options.backoffInitialMs, this.options.backoffMaxMs, Math.random());
      this.logger.debug({ alertId: alert.alert.id, attempt, outcome: detail, delayMs: delay }, 'webhook delivery will be retried');
      await this.sleep(delay);
    }
  }

  private async post(alert: Alert, body: string): Promise<DeliveryOutcome> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'hangwatch-alerter',
      'x-hangwatch-alert-id': alert.alert.id,
      'x-hangwatch-alert-state': alert.alert.state,
      'idempotency-key': `${alert.alert.id}:${alert.alert.state}:${alert['@timestamp']}`,
    };
    if (this.options.secret) headers['x-hangwatch-secret'] = this.options.secret;
    if (this.authorization) headers.authorization = this.authorization;
    try {
      const response = await fetch(this.target, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.options.timeoutMs) });
      await response.arrayBuffer().catch(() => undefined);
      return { kind: 'status', status: response.status };
    } catch (error) {
      const name = (error as Error).name;
      return name === 'TimeoutError' || name === 'AbortError' ? { kind: 'timeout' } : { kind: 'network' };
    }
  }
}
