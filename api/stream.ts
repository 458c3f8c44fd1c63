/** The client went away while we were writing: stop reading the database. */
export class ClientGone extends Error {
  constructor() {
    super('The client closed the connection.');
    this.name = 'ClientGone';
  }
}

/** What a Sink writes to: an HTTP response, or any Writable. */
export interface WritableLike {
  write(chunk: string): boolean;
  end(): unknown;
  on(event: 'drain' | 'close', fn: () => void): unknown;
  off(event: 'drain' | 'close', fn: () => void): unknown;
  readonly destroyed: boolean;
}

/**
 * Writes text to a response in chunks of about `chunkSize`, waiting for 'drain' whenever the
 * socket's buffer is full: a slow reader slows the database reads down instead of the process
 * holding the whole export in memory. Nothing is sent until the first chunk fills, so an error
 * while reading the first page can still be answered with a status and a problem.
 */
export class Sink {
  private buf = '';
  /** How many times the writer waited for the reader: for tests and logs. */
  waits = 0;
  chunks = 0;

  constructor(
    private readonly out: WritableLike,
    private readonly chunkSize = 64 * 1024,
  ) {}

  async push(text: string): Promise<void> {
    this.buf += text;
    if (this.buf.length >= this.chunkSize) await this.flush();
  }

  async end(): Promise<void> {
    await this.flush();
    this.out.end();
  }

  /** Whether anything has been written (and so the status line has been sent). */
  get started(): boolean {
    return this.chunks > 0;
  }

  private async flush(): Promise<void> {
    if (!this.buf) return;
    if (this.out.destroyed) throw new ClientGone();
    const chunk = this.buf;
    this.buf = '';
    this.chunks++;
    if (!this.out.write(chunk)) {
      this.waits++;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off('drain', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
    if (this.out.destroyed) throw new ClientGone();
  }
}
