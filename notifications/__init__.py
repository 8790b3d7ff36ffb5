"""Notifications that leave the building: channels, the outbox of deliveries, the senders."""
