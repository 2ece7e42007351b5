"""Talking to other systems (an EHR): signed event webhooks. Nothing in the domain imports this app."""
