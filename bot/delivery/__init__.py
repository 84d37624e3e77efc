"""Durable delivery: webhook messages stored before they are answered, replies through an outbox."""
