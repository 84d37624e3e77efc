"""What editors do: import legal texts, publish versions behind the regression gate, record
legal events, write guidance with review, and learn from the questions the bot did not answer."""
