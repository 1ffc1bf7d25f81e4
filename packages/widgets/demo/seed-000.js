// Widgets config and initialization code is omitted for clarity
// ...
CXBus.loadPlugin('widgets-core');
 
CXBus.subscribe('WebChatService.messageReceived', (event) => {       
  // taking the latest interaction state change event when fetching the history, for long-poll there will be only one
  const lastInteractionStateChange = event.data.originalMessages
    .filter(message => message.type === 'System' && message.event === 'InteractionStateChange')
    .pop();
 
  // nothing to do if no event found
  if (!lastInteractionStateChange) return;
 
  // digging for current interaction state
  const interactionState = lastInteractionStateChange.data.interactionState;
  if (!interactionState) return;
 
  // processing the state
  if (interactionState === 'Finalizing' || interactionState === 'Completed') {
    // different handling for async and regular chat
    const isAsync = window._genesys.widgets.webchat.transport.async && window._genesys.widgets.webchat.transport.async.enabled;
    if (isAsync) {
      CXBus.command('WebChat.injectMessage', {
        type: 'text',
        text: 'Thank you for your query. Please do not respond to this automated message if you do not have additional questions.',
        bubble: { time: false }
      });
    } else {
      CXBus.command('WebChat.endChat');
    }
  }
});
