import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config';

/** SMTP delivery through nodemailer: implicit TLS or STARTTLS, optional auth, cc/bcc from configuration. */
export class Mailer {
  private readonly transport: Transporter;

  constructor(private readonly smtp: Config['smtp']) {
    this.transport = nodemailer.createTransport({
      host: smtp.host!,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: !smtp.secure && smtp.starttls,
      ignoreTLS: !smtp.secure && !smtp.starttls,
      auth: smtp.username ? { user: smtp.username, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: smtp.timeout,
      greetingTimeout: smtp.timeout,
      socketTimeout: smtp.timeout,
      tls: { rejectUnauthorized: smtp.reject_unauthorized },
    });
  }

  async send(to: string[], subject: string, text: string): Promise<string> {
    const info = await this.transport.sendMail({ from: this.smtp.from!, to, cc: this.smtp.cc, bcc: this.smtp.bcc, subject, text });
    return String(info.messageId);
  }

  close(): void {
    this.transport.close();
  }
}
