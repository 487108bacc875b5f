// A small Prometheus text-format registry (exposition format 0.0.4): counters and gauges with labels.
// Every service exposes one at /metrics (DESIGN.md section 9), including consumer lag.

type Labels = Readonly<Record<string, string>>;

interface Series {
  readonly labels: Labels;
  value: number;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Gauge {
  set(labels: Labels | undefined, value: number): void;
}

class Metric {
  readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  at(labels: Labels = {}): Series {
    const key = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(',');
    let s = this.series.get(key);
    if (!s) {
      s = { labels, value: 0 };
      this.series.set(key, s);
    }
    return s;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    const metric = this.register(name, help, 'counter');
    return {
      inc: (labels?: Labels, by = 1): void => {
        metric.at(labels).value += by;
      },
    };
  }

  gauge(name: string, help: string): Gauge {
    const metric = this.register(name, help, 'gauge');
    return {
      set: (labels: Labels | undefined, value: number): void => {
        metric.at(labels).value = value;
      },
    };
  }

  /** Current value of a series (tests and progress lines). */
  value(name: string, labels: Labels = {}): number {
    return this.metrics.get(name)?.at(labels).value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${metric.help}`);
      lines.push(`# TYPE ${metric.name} ${metric.type}`);
      if (metric.series.size === 0) lines.push(`${metric.name} 0`);
      for (const s of metric.series.values()) lines.push(`${metric.name}${renderLabels(s.labels)} ${s.value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private register(name: string, help: string, type: 'counter' | 'gauge'): Metric {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    let metric = this.metrics.get(name);
    if (!metric) {
      metric = new Metric(name, help, type);
      this.metrics.set(name, metric);
    }
    return metric;
  }
}

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${keys.map((k) => `${k}="${escape(labels[k] as string)}"`).join(',')}}`;
}
