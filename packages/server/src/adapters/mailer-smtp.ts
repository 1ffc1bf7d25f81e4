import nodemailer from 'nodemailer';
import type { MailMessage, Mailer } from '../ports/mailer.js';

export interface SmtpOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

/** The Mailer over SMTP (nodemailer): one pooled transport per node. */
export function smtpMailer(o: SmtpOptions): Mailer {
  const transport = nodemailer.createTransport({
    host: o.host,
    port: o.port,
    secure: o.secure,
    pool: true,
    maxConnections: 2,
    connectionTimeout: 10_000,
    socketTimeout: 20_000,
    ...(o.user ? { auth: { user: o.user, pass: o.password ?? '' } } : {}),
  });
  return {
    async send(m: MailMessage) {
      await transport.sendMail({ from: o.from, to: m.to, subject: m.subject, text: m.text, html: m.html, attachments: m.attachments });
    },
    close: () => transport.close(),
  };
}
