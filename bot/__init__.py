"""Vietnamese consumer-rights chatbot: the conversation core, storage, NLU client and CLI."""
