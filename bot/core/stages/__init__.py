"""The stages of a turn, one per module, in the order ``bot/runtime.py`` lists them."""
