"""Imported by the scoring pool's fork server (:class:`feedback_tui.sentiment_pool.Pool`).

Loading TextBlob, both lexicons, the pattern engines' tables and the language
identifier costs each process about 3.5 s of CPU: every worker paid it before it
scored a text, a fifth of a 100k backfill's CPU on two cores (issue 19). Done once
here, in the server the workers are forked from, they start with all of it loaded.
"""

from feedback_tui import sentiment

sentiment.warm_up()
