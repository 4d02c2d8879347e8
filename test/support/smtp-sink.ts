import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  raw: string;
}

/**
 * A real SMTP server on loopback that keeps every message it accepts. `stop()` then `start()`
 * again reopens it on the same port, which is how specs stage an SMTP outage.
 */
export class SmtpSink {
  readonly inbox: ReceivedMail[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, session, cb) => {
        let raw = '';
        stream.on('data', (c) => (raw += c));
        stream.on('end', () => {
          this.inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? '', raw });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', () => r()));
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops accepting connections; resolves once the server has closed. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    return new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  }
}
