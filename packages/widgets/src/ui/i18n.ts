/**
 * WebChat strings. Keys follow the Genesys Widgets `webchat` i18n namespace so existing
 * `main.i18n` overrides ({en: {webchat: {ChatTitle: '...'}}}) keep working.
 */
export type Strings = Record<string, string>;

const en: Strings = {
  ChatTitle: 'Live Chat',
  ChatButton: 'Chat',
  ChatStarted: 'Chat started',
  ChatEnded: 'Chat ended',
  AgentNameDefault: 'Agent',
  BotNameDefault: 'Bot',
  AgentConnected: '<%Agent%> connected',
  AgentDisconnected: '<%Agent%> disconnected',
  AgentTyping: '<%Agent%> is typing…',
  YouName: 'You',
  ChatFormFirstName: 'First name',
  ChatFormLastName: 'Last name',
  ChatFormNickname: 'Nickname',
  ChatFormEmail: 'Email',
  ChatFormSubject: 'Subject',
  ChatFormSubmit: 'Start chat',
  ChatFormCancel: 'Cancel',
  ChatFormRequired: 'required',
  ChatFormInvalid: 'Please fill in this field correctly.',
  ChatInputPlaceholder: 'Type your message here',
  ChatInputSend: 'Send',
  ChatEndQuestion: 'Are you sure you want to end this chat session?',
  ChatEndConfirm: 'End chat',
  ChatEndCancel: 'Cancel',
  ConfirmCloseWindow: 'Are you sure you want to close chat?',
  ConfirmCloseConfirm: 'Close',
  ConfirmCloseCancel: 'Cancel',
  ActionsSendFile: 'Send file',
  FileSent: 'sent a file:',
  FileTransferError: 'The file could not be sent.',
  MessageFailed: 'The message could not be sent.',
  InviteTitle: 'Need help?',
  InviteBody: 'Let us know if we can help out.',
  InviteReject: 'No thanks',
  InviteAccept: 'Start chat',
  ChatError: 'There was a problem starting the chat session. Please retry.',
  AriaWindowLabel: 'Live Chat window',
  AriaTranscript: 'Chat messages',
  AriaMinimize: 'Minimize chat',
  AriaMaximize: 'Restore chat',
  AriaClose: 'Close chat',
  AriaEndChat: 'End chat',
  AriaMessageInput: 'Message',
  AriaSaid: 'said',
  AriaCharRemaining: 'characters remaining',
  AriaBanner: 'Chat notice',
};

const fr: Strings = {
  ChatTitle: 'Chat en direct',
  ChatButton: 'Chat',
  ChatStarted: 'Chat démarré',
  ChatEnded: 'Chat terminé',
  AgentNameDefault: 'Conseiller',
  AgentConnected: '<%Agent%> est connecté',
  AgentDisconnected: '<%Agent%> s’est déconnecté',
  AgentTyping: '<%Agent%> écrit…',
  YouName: 'Vous',
  ChatFormFirstName: 'Prénom',
  ChatFormLastName: 'Nom',
  ChatFormNickname: 'Pseudo',
  ChatFormEmail: 'E-mail',
  ChatFormSubject: 'Objet',
  ChatFormSubmit: 'Démarrer le chat',
  ChatFormCancel: 'Annuler',
  ChatFormRequired: 'obligatoire',
  ChatFormInvalid: 'Veuillez remplir correctement ce champ.',
  ChatInputPlaceholder: 'Écrivez votre message ici',
  ChatInputSend: 'Envoyer',
  ChatEndQuestion: 'Voulez-vous vraiment mettre fin à ce chat ?',
  ChatEndConfirm: 'Terminer le chat',
  ChatEndCancel: 'Annuler',
  ConfirmCloseWindow: 'Voulez-vous vraiment fermer le chat ?',
  ConfirmCloseConfirm: 'Fermer',
  ConfirmCloseCancel: 'Annuler',
  ActionsSendFile: 'Envoyer un fichier',
  FileSent: 'a envoyé un fichier :',
  FileTransferError: 'Le fichier n’a pas pu être envoyé.',
  MessageFailed: 'Le message n’a pas pu être envoyé.',
  InviteTitle: 'Besoin d’aide ?',
  InviteBody: 'Dites-nous si nous pouvons vous aider.',
  InviteReject: 'Non merci',
  InviteAccept: 'Démarrer le chat',
  ChatError: 'Un problème est survenu au démarrage du chat. Veuillez réessayer.',
  AriaWindowLabel: 'Fenêtre de chat en direct',
  AriaTranscript: 'Messages du chat',
  AriaMinimize: 'Réduire le chat',
  AriaMaximize: 'Agrandir le chat',
  AriaClose: 'Fermer le chat',
  AriaEndChat: 'Terminer le chat',
  AriaMessageInput: 'Message',
  AriaSaid: 'a dit',
  AriaCharRemaining: 'caractères restants',
  AriaBanner: 'Avis du chat',
};

const de: Strings = {
  ChatTitle: 'Live-Chat',
  ChatButton: 'Chat',
  ChatStarted: 'Chat gestartet',
  ChatEnded: 'Chat beendet',
  AgentNameDefault: 'Mitarbeiter',
  AgentConnected: '<%Agent%> ist verbunden',
  AgentDisconnected: '<%Agent%> hat den Chat verlassen',
  AgentTyping: '<%Agent%> schreibt…',
  YouName: 'Sie',
  ChatFormFirstName: 'Vorname',
  ChatFormLastName: 'Nachname',
  ChatFormNickname: 'Spitzname',
  ChatFormEmail: 'E-Mail',
  ChatFormSubject: 'Betreff',
  ChatFormSubmit: 'Chat starten',
  ChatFormCancel: 'Abbrechen',
  ChatFormRequired: 'Pflichtfeld',
  ChatFormInvalid: 'Bitte füllen Sie dieses Feld korrekt aus.',
  ChatInputPlaceholder: 'Nachricht eingeben',
  ChatInputSend: 'Senden',
  ChatEndQuestion: 'Möchten Sie diesen Chat wirklich beenden?',
  ChatEndConfirm: 'Chat beenden',
  ChatEndCancel: 'Abbrechen',
  ConfirmCloseWindow: 'Möchten Sie den Chat wirklich schließen?',
  ConfirmCloseConfirm: 'Schließen',
  ConfirmCloseCancel: 'Abbrechen',
  ActionsSendFile: 'Datei senden',
  FileSent: 'hat eine Datei gesendet:',
  FileTransferError: 'Die Datei konnte nicht gesendet werden.',
  MessageFailed: 'Die Nachricht konnte nicht gesendet werden.',
  InviteTitle: 'Brauchen Sie Hilfe?',
  InviteBody: 'Sagen Sie uns, ob wir helfen können.',
  InviteReject: 'Nein danke',
  InviteAccept: 'Chat starten',
  ChatError: 'Der Chat konnte nicht gestartet werden. Bitte versuchen Sie es erneut.',
  AriaWindowLabel: 'Live-Chat-Fenster',
  AriaTranscript: 'Chat-Nachrichten',
  AriaMinimize: 'Chat minimieren',
  AriaMaximize: 'Chat wiederherstellen',
  AriaClose: 'Chat schließen',
  AriaEndChat: 'Chat beenden',
  AriaMessageInput: 'Nachricht',
  AriaSaid: 'sagt',
  AriaCharRemaining: 'Zeichen übrig',
  AriaBanner: 'Chat-Hinweis',
};

export const builtIn: Record<string, Strings> = { en, fr, de };

type I18nObject = Record<string, { webchat?: Strings } | undefined>;

/** Built-in strings for `lang` (falling back to English), overridden by `main.i18n[lang].webchat`. */
export function strings(lang: string | undefined, i18n: unknown): Strings {
  const code = (lang || 'en').toLowerCase();
  const base = builtIn[code] ?? builtIn[code.split(/[-_]/)[0]!] ?? en;
  const over = i18n && typeof i18n === 'object' ? (i18n as I18nObject)[lang || 'en']?.webchat : undefined;
  const out: Strings = { ...en, ...base };
  if (over && typeof over === 'object') for (const k in over) if (typeof over[k] === 'string') out[k] = over[k];
  return out;
}

/** Replaces `<%Agent%>`-style placeholders. */
export function fill(s: string, vars: Record<string, string>): string {
  return s.replace(/<%(\w+)%>/g, (_m, k: string) => vars[k] ?? '');
}
