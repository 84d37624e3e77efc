"""The conversation core: platform-neutral messages and the turn pipeline.

It never imports a connector.
"""
