"""The conversation core: platform-neutral messages and the turn pipeline. Never imports a connector."""
