"""A cp1252 export whose rows partly came through cp850 (REAL_DATA.md 5b: 1,358 of 3,801
comments read "employ‚s", "impressionn‚", "ƒge"). A real file on disk, the real CLI."""

from __future__ import annotations

import codecs
import sqlite3
from pathlib import Path

from conftest import assert_no_crash
from feedback_tui.importers import mixed_cp, textio

# Invented comments: the cp850 ones as a DOS tool wrote them, the cp1252 ones as Excel did.
CP850_ROWS = ["Les employ\x82s sont tr\x8as aimables", "Magasin impressionn\x82", "\x82t\x82 comme hiver",
              "Pour les personnes \x83g\x82es", "\x87a manque de caisses", "\x90quipe au top, fran\x87ais"]
CP1252_ROWS = ["Très bien, l’accueil", "Un cœur d’équipe à Saint–Étienne", "„Zitat“ und “Great” quotes",
               "Prix… corrects, 5‰ de remise", "Ça va"]
# 0x8A (cp850 è) is also cp1252's Š, which names write between letters: left as it is
EXPECTED_CP850 = ["Les employés sont trŠs aimables", "Magasin impressionné", "été comme hiver",
                  "Pour les personnes âgées", "ça manque de caisses", "Équipe au top, français"]


def _file(path: Path) -> Path:
    lines = [b"id,kind,score,comment\r\n"]
    for i, text in enumerate(CP850_ROWS):
        lines.append(f"a{i},nps,9,\"{text}\"\r\n".encode("latin-1"))
    for i, text in enumerate(CP1252_ROWS):
        lines.append(f"b{i},nps,8,\"{text}\"\r\n".encode("cp1252"))
    path.write_bytes(b"".join(lines))
    return path


def test_cp850_letters_in_a_cp1252_file_are_read_as_letters(run_cli, db_path: Path, tmp_path: Path) -> None:
    result = run_cli("import", "--no-sentiment", _file(tmp_path / "avis.csv"))
    assert_no_crash(result)
    assert result.exit_code == 0 and "(csv, cp1252)" in result.stdout and "invalid bytes" not in result.stdout
    with sqlite3.connect(db_path) as conn:
        comments = dict(conn.execute("SELECT external_id, comment FROM survey_responses"))
    assert [comments[f"a{i}"] for i in range(len(CP850_ROWS))] == EXPECTED_CP850
    assert [comments[f"b{i}"] for i in range(len(CP1252_ROWS))] == CP1252_ROWS  # cp1252 text untouched
    again = run_cli("import", "--no-sentiment", tmp_path / "avis.csv")
    assert "0 new, 0 updated, 11 unchanged" in again.stdout, again.output


def test_the_decoder_gives_the_same_text_whatever_the_chunks() -> None:
    data = b"".join(
        f"{t}\n".encode("latin-1") for t in CP850_ROWS) + "".join(f"{t}\n" for t in CP1252_ROWS).encode("cp1252")
    whole = data.decode(mixed_cp.NAME, textio.ESCAPE_ERRORS)
    for size in (1, 2, 3, 7):
        decoder = codecs.getincrementaldecoder(mixed_cp.NAME)(textio.ESCAPE_ERRORS)
        pieces = [decoder.decode(data[i:i + size]) for i in range(0, len(data), size)]
        assert "".join(pieces) + decoder.decode(b"", final=True) == whole, size
    assert "employés" in whole and "l’accueil" in whole and "„Zitat“" in whole
