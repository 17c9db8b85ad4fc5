"""Letters out: reply drafts rendered from the Jinja2 templates into complete RFC 5322 messages.

Owns the template environment (shared with the summary), recipient checks and the reply headers
that thread a draft under the message it answers. Nothing here writes anywhere: the sync's
effects step hands a rendered draft to a connector.

May import: ``bot.mail``, ``bot.errors``, ``bot.resources``.
"""
