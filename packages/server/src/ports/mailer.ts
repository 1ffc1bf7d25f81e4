/** An e-mail to one address: plain text and an HTML alternative. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Files attached (the transcript). */
  attachments?: { filename: string; content: string; contentType: string }[];
}

/** Sends e-mail (SMTP in production, adapters/mailer-smtp.ts). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}
