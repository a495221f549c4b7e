"""The few HTML pages ``serve`` adds around textual-serve's: login, full, logged out.

Everything put into a page goes through :func:`html.escape`; no page holds
anything from the config but the agent's own name.
"""

from __future__ import annotations

from html import escape

_STYLE = """
body { background: #0c181f; color: #e6edf3; font: 16px/1.5 system-ui, sans-serif; display: flex;
       min-height: 100vh; margin: 0; align-items: center; justify-content: center; }
main { background: #12232d; padding: 2rem 2.5rem; border-radius: 8px; min-width: 20rem; max-width: 32rem; }
h1 { font-size: 1.3rem; margin-top: 0; }
label { display: block; margin-top: 1rem; }
input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; margin-top: .25rem; }
button { margin-top: 1.5rem; padding: .6rem 1.5rem; font-size: 1rem; background: #5e0ba7; color: #fff;
         border: 0; border-radius: 4px; cursor: pointer; }
.error { background: #5a1d1d; padding: .5rem .75rem; border-radius: 4px; }
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def login_page(title: str, error: str | None = None, agent: str = "") -> str:
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _page(f"Log in · {title}", f"""<h1>{escape(title)}</h1>{problem}
<form method="post" action="/login">
<label>Agent name<input name="agent" autocomplete="username" required autofocus value="{escape(agent)}"></label>
<label>Password<input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form>""")


def full_page(title: str, limit: int) -> str:
    return _page(f"Busy · {title}", f"""<h1>All {limit} app sessions are in use</h1>
<p>The server runs at most {limit} apps at once (<code>--max-sessions</code>), and every one is taken.
Try again in a few minutes: idle sessions end by themselves. An administrator can raise the limit.</p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>""")


def logged_out_page(title: str, reason: str = "You are logged out.") -> str:
    return _page(f"Logged out · {title}", f"""<h1>{escape(reason)}</h1>
<p><a href="/login" style="color:#9ecbff">Log in again</a></p>""")


def logout_bar(agent: str) -> str:
    """A small fixed bar over the terminal's top-right corner: who is logged in, and the way out."""
    return (f'<form id="ft-logout" method="post" action="/logout" style="position:fixed;top:0;right:0;z-index:100;'
            f'margin:0;padding:0 .4rem;font:12px system-ui,sans-serif;white-space:nowrap;color:#ccc;background:#12232dcc">'
            f'{escape(agent)} · <button type="submit" style="display:inline;margin:0;padding:0;font:12px system-ui,'
            f'sans-serif;background:none;color:#9ecbff;border:0;cursor:pointer">Log out</button></form>')
