import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { encodeRequestHeader } from '../core/kafka-protocol.js';

// One TCP (or TLS) connection to a broker for the shipper's produce client: size-prefixed requests with
// correlation ids; Kafka answers the requests of a connection in order. Any socket error or request timeout
// closes the connection and fails every pending request (the producer reconnects and resends the same batch,
// which the broker deduplicates by producer id and sequence).

export interface ConnectionOptionsIn {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

interface Pending {
  readonly resolve: (body: Buffer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class KafkaConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelation = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptionsIn,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error(`connection to ${options.host}:${options.port} closed`)));
  }

  static open(options: ConnectionOptionsIn): Promise<KafkaConnection> {
    return new Promise((resolve, reject) => {
      const { host, port, ssl } = options;
      const socket = ssl
        ? connectTls({ host, port, servername: host, ...(typeof ssl === 'object' ? ssl : {}) })
        : connectTcp({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connection to ${host}:${port} timed out after ${options.connectTimeoutMs} ms`));
      }, options.connectTimeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', onError);
      socket.once(ssl ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new KafkaConnection(socket, options));
      });
    });
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  /** Sends a request (header + body parts, written without joining them) and resolves with the response body. */
  request(apiKey: number, apiVersion: number, body: readonly Buffer[]): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelation++ & 0x7fffffff;
    let bodyBytes = 0;
    for (const part of body) bodyBytes += part.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`Kafka request (api ${apiKey}) to ${this.options.host}:${this.options.port} timed out after ${this.options.requestTimeoutMs} ms`)),
        this.options.requestTimeoutMs,
      );
      this.pending.set(correlationId, { resolve, reject, timer });
      this.socket.cork();
      this.socket.write(encodeRequestHeader(apiKey, apiVersion, correlationId, this.options.clientId, bodyBytes));
      for (const part of body) this.socket.write(part);
      this.socket.uncork();
    });
  }

  close(): void {
    this.fail(new Error('connection closed by the shipper'));
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 4) return;
      let head = this.chunks[0] as Buffer;
      if (head.length < 4) {
        head = Buffer.concat(this.chunks);
        this.chunks = [head];
      }
      const size = head.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks);
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.dispatch(frame);
    }
  }

  private dispatch(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const waiting = this.pending.get(correlationId);
    if (!waiting) {
      this.fail(new Error(`Kafka response with an unknown correlation id ${correlationId}`));
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(waiting.timer);
    waiting.resolve(frame.subarray(4));
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.socket.destroy();
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      this.pending.delete(id);
      waiting.reject(error);
    }
  }
}
