"""``feedback-tui serve``: the app in a browser (textual-serve) behind a login.

``auth`` holds the rules (password hashes, sessions) with the standard library
only; ``server`` puts them in front of textual-serve's aiohttp server; ``pages``
is the HTML around it. Nothing here imports Textual: the app runs in its own
process per session.
"""
