"""``import`` given a URL (here served by a real local HTTP server): one line naming the URL as
typed, exit 2, no traceback, and the files beside it are still imported."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import assert_no_crash, db_counts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def served() -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/reviews.csv", "/missing.csv"])
def test_a_url_is_refused_in_one_line_that_names_it_as_typed(run_cli, db_path: Path, served: str, path: str) -> None:
    url = served + path
    result = run_cli("import", "--no-sentiment", url)
    assert_no_crash(result)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Error: {url}: ")  # not "http:/127.0.0.1..." nor "no such file"
    assert "fetch json" in lines[0]


def test_the_files_beside_a_url_are_still_imported(run_cli, db_path: Path, served: str) -> None:
    result = run_cli("import", "--no-sentiment", served.upper().replace("HTTP", "HTTPS") + "/x.csv",
                     FIXTURES / "reviews.csv")
    assert_no_crash(result)
    assert result.exit_code == 2
    assert db_counts(db_path)["reviews"] > 0
