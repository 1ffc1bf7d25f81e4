/** The flow shipped with the demo deployment; docs/flows.md explains every step kind with it. */
export const demoFlow = {
  id: 'demo-bot',
  botName: 'Parley Bot',
  start: 'greet',
  resume: 'welcome-back',
  backToBotPhrase: 'talk to bot',
  steps: {
    greet: { say: "Hi! I'm the Parley bot. I can tell you our opening hours, or get you a human.", next: 'menu' },
    'welcome-back': { say: "I'm back. What else can I do for you?", next: 'menu' },
    menu: {
      ask: "Type 'hours', or 'agent' to talk to a person.",
      options: ['Hours', 'Agent'],
      intents: [
        { name: 'human', phrases: ['agent', 'human', 'talk to a person', 'person'], regex: '\\b(agent|human|someone)\\b', next: 'ask-email' },
        { name: 'hours', phrases: ['hours', 'opening hours'], regex: '\\b(open|hours|when)\\b', next: 'hours' },
        { name: 'bye', phrases: ['bye', 'goodbye', 'thanks, bye'], next: 'bye' },
      ],
      fallback: 'not-understood',
    },
    hours: { say: "We're open Monday to Friday, 9:00 to 17:00.", next: 'menu' },
    'not-understood': { say: "Sorry, I didn't get that.", next: 'menu' },
    'ask-email': {
      ask: 'Sure. What email address can the agent reach you at?',
      save: 'EmailAddress',
      skipIfKnown: true,
      validate: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      invalid: "That doesn't look like an email address. Please try again.",
      next: 'tag',
    },
    tag: { set: { source: 'bot' }, next: 'handoff' },
    handoff: {
      route: { queue: 'Support', priority: 2 },
      say: 'Thanks! An agent will be with you shortly.',
      positionUpdates: true,
      onAgentJoin: { promotion: { title: 'Want to go back to the bot?', options: [{ title: 'Back to the bot', text: 'talk to bot' }] } },
    },
    bye: { end: true, say: 'Goodbye!' },
  },
};
