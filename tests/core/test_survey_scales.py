"""CSAT and CES answers asked on another scale: refused as a file, or read with the option.

A survey whose CSAT was asked on 1-10 used to import its 1-5 answers and reject
its 6-10 ones row by row, so the stored CSAT was its unhappy half. Every file
here is small and written by the test, so that each figure is checked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import assert_no_crash, db_counts, raw_rows, write_csv

HEADER = ["id", "kind", "score", "comment", "created_at"]
# 20 CSAT answers on 1-10: 10 x4, 9 x4, 8 x3, 7 x3, 6 x2, 5, 3, 2, 1.
#   above 5: 16 of 20; satisfied (top two boxes, 9-10): 8 of 20 -> CSAT 40.0 %.
CSAT_10 = [10] * 4 + [9] * 4 + [8] * 3 + [7] * 3 + [6] * 2 + [5, 3, 2, 1]
# 10 CES answers on 1-10 (5 above 7): sum 68, n 10 -> mean 6.8 of 10, normalised (6.8 / 10) * 100 = 68.0;
#   the mean on our 1-7 is 6.8 * 7 / 10 = 4.76 -> 4.8.
CES_10 = [10, 10, 9, 8, 8, 7, 6, 5, 3, 2]
# 4 NPS answers: promoters 10, 9; passive 7; detractor 3 -> NPS (2 - 1) / 4 = 25.0.
NPS = [10, 9, 7, 3]


def _rows(kind: str, scores: list[int], start: int = 0) -> list[list[object]]:
    return [[f"{kind}-{start + i}", kind, score, "", f"2026-03-{1 + i % 28:02d}T10:00:00Z"]
            for i, score in enumerate(scores)]


def _mixed(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "panier_survey.csv", HEADER,
                     _rows("csat", CSAT_10) + _rows("ces", CES_10) + _rows("nps", NPS))


def _error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_a_1_5_file_imports_as_before(run_cli, tmp_path: Path) -> None:
    # CSAT 5, 5, 4, 3, 1 -> satisfied 3 of 5 = 60.0 %; CES 7, 4 -> mean 5.5, normalised 78.6
    path = write_csv(tmp_path / "ok.csv", HEADER, _rows("csat", [5, 5, 4, 3, 1]) + _rows("ces", [7, 4]))
    result = run_cli("import", "--no-sentiment", path)
    assert result.exit_code == 0, result.output
    figures = json.loads(run_cli("score", "--json").stdout)
    assert figures["csat"] == {"score": 60.0, "n": 5, "satisfied": 3}
    assert figures["ces"] == {"mean": 5.5, "normalized": 78.6, "n": 2}


def test_a_1_10_csat_is_refused_in_one_line_and_nothing_is_stored(run_cli, tmp_path: Path, db_path: Path) -> None:
    path = _mixed(tmp_path)
    result = run_cli("import", "--no-sentiment", path)
    assert_no_crash(result)
    assert result.exit_code == 2
    lines = _error_lines(result)
    assert len(lines) == 1, lines
    line = lines[0]
    assert str(path) in line and "column 'score'" in line
    assert "16 of 20 CSAT answers are above 5 (the highest is 10)" in line
    assert "--csat-scale 1-10" in line and "nothing imported" in line
    counts = db_counts(db_path)
    assert counts["survey_responses"] == 0 and counts["rejects"] == 0  # not even its NPS rows


def test_the_ces_of_the_same_file_is_refused_next(run_cli, tmp_path: Path, db_path: Path) -> None:
    result = run_cli("import", "--no-sentiment", "--csat-scale", "1-10", _mixed(tmp_path))
    assert result.exit_code == 2
    (line,) = _error_lines(result)
    assert "5 of 10 CES answers are above 7 (the highest is 10)" in line and "--ces-scale 1-10" in line
    assert db_counts(db_path)["survey_responses"] == 0


def test_with_the_options_the_answers_are_kept_and_scored_on_their_scale(run_cli, tmp_path: Path,
                                                                       db_path: Path) -> None:
    path = _mixed(tmp_path)
    result = run_cli("import", "--no-sentiment", "--csat-scale", "1-10", "--ces-scale", "1-10", path)
    assert result.exit_code == 0, result.output
    assert "34 new" in result.stdout and "0 rejected" in result.stdout
    assert "CSAT asked on 1-10" in result.stdout and "CES asked on 1-10" in result.stdout
    stored = {row["external_id"]: (row["score"], row["score_original"], row["score_scale"])
              for row in raw_rows(db_path, "SELECT external_id, score, score_original, score_scale "
                                           "FROM survey_responses")}
    assert stored["csat-0"] == (5, 10, 10) and stored["csat-4"] == (4, 9, 10)  # top two boxes
    assert stored["csat-8"] == (3, 8, 10) and stored["csat-19"] == (1, 1, 10)
    assert stored["ces-0"] == (7, 10, 10) and stored["ces-9"] == (1.6667, 2, 10)  # 1 + (2 - 1) * 6 / 9, linear
    assert stored["nps-0"] == (10, None, None)
    satisfied = sum(1 for s in CSAT_10 if s >= 9)
    expected_csat = {"score": round(100 * satisfied / len(CSAT_10), 1), "n": 20, "satisfied": satisfied}
    mean_of_10 = sum(CES_10) / len(CES_10)
    expected_ces = {"mean": round(mean_of_10 * 7 / 10, 2), "normalized": round(mean_of_10 / 10 * 100, 1), "n": 10}
    assert expected_csat == {"score": 40.0, "n": 20, "satisfied": 8}
    assert expected_ces == {"mean": 4.76, "normalized": 68.0, "n": 10}  # the CES mean has two decimals
    # the daily rollups (whole days) and the raw rows (a time inside a day) give the same figures
    for args in ((), ("--since", "2026-03-01T09:00:00Z")):
        figures = json.loads(run_cli("score", "--json", *args).stdout)
        assert figures["csat"] == expected_csat, args
        assert figures["ces"] == expected_ces, args
        assert figures["nps"]["score"] == 25.0 and figures["nps"]["n"] == 4
    exported = json.loads(run_cli("export", "--kind", "surveys", "--format", "json").stdout)
    assert {(r["external_id"], r["score"], r["score_original"], r["score_scale"]) for r in exported
            if r["external_id"] in ("csat-0", "nps-0")} == {("csat-0", 5, 10, 10), ("nps-0", 10, None, None)}
    # the same file again changes nothing
    again = run_cli("import", "--no-sentiment", "--csat-scale", "1-10", "--ces-scale", "1-10", path)
    assert again.exit_code == 0 and "34 unchanged" in again.stdout


def test_one_stray_9_in_a_1_5_file_is_one_reject(run_cli, tmp_path: Path, db_path: Path) -> None:
    scores = [5, 4, 4, 3, 5, 2, 1, 4, 5, 3, 4, 5, 5, 4, 3, 2, 4, 5, 4, 5]
    path = write_csv(tmp_path / "stray.csv", HEADER, _rows("csat", scores) + [["csat-x", "csat", 9, "", "2026-03-02"]])
    result = run_cli("import", "--no-sentiment", path)
    assert result.exit_code == 1
    assert "20 new" in result.stdout and "1 rejected" in result.stdout
    (line,) = _error_lines(result)
    assert "line 22" in line and "CSAT score must be a whole number from 1 to 5, got '9'" in line
    assert db_counts(db_path)["survey_responses"] == 20


def test_two_strays_in_a_hundred_answers_stay_rejects(run_cli, tmp_path: Path, db_path: Path) -> None:
    scores = [1 + i % 5 for i in range(98)] + [7, 9]  # 2 % above 5: below the 5 % a scale needs
    result = run_cli("import", "--no-sentiment", write_csv(tmp_path / "two.csv", HEADER, _rows("csat", scores)))
    assert result.exit_code == 1 and "98 new" in result.stdout and "2 rejected" in result.stdout


def test_zero_one_and_two_answers(run_cli, tmp_path: Path, db_path: Path) -> None:
    # no CSAT answer at all (a kind column, NPS only): nothing to check
    none = run_cli("import", "--no-sentiment", write_csv(tmp_path / "n0.csv", HEADER, _rows("nps", [9, 10])))
    assert none.exit_code == 0, none.output
    # one answer cannot show a scale: a normal reject
    one = run_cli("import", "--no-sentiment", write_csv(tmp_path / "n1.csv", HEADER, _rows("csat", [9])))
    assert one.exit_code == 1 and "1 rejected" in one.stdout
    # two answers above the range: the file is on another scale
    two = run_cli("import", "--no-sentiment", write_csv(tmp_path / "n2.csv", HEADER, _rows("csat", [8, 9])))
    assert two.exit_code == 2
    assert "2 of 2 CSAT answers are above 5 (the highest is 9)" in two.stderr
    assert db_counts(db_path)["survey_responses"] == 2  # the two NPS answers only
    fixed = run_cli("import", "--no-sentiment", "--csat-scale", "1-10", tmp_path / "n2.csv")
    assert fixed.exit_code == 0
    assert json.loads(run_cli("score", "--json").stdout)["csat"] == {"score": 50.0, "n": 2, "satisfied": 1}


def test_french_headers_and_a_0_10_scale(run_cli, tmp_path: Path, db_path: Path) -> None:
    # Google Forms in French: Horodateur, dd/mm/yyyy dates, ';'. Answers 0-10 (a 0 is one):
    # 10, 9, 9, 7, 5, 0 -> satisfied (9-10) 3 of 6 = 50.0 %
    path = tmp_path / "satisfaction.csv"
    path.write_text("Horodateur;Note;Commentaire\n" + "".join(
        f"0{day}/03/2026 10:15:32;{score};\n" for day, score in zip(range(1, 7), [10, 9, 9, 7, 5, 0])),
        encoding="utf-8")
    refused = run_cli("import", "--no-sentiment", "--survey-kind", "csat", path)
    assert refused.exit_code == 2
    (line,) = _error_lines(refused)
    assert "column 'Note'" in line and "4 of 6 CSAT answers are above 5 (the highest is 10)" in line
    assert "--csat-scale 0-10" in line  # a 0 was answered: the scale starts at 0
    result = run_cli("import", "--no-sentiment", "--survey-kind", "csat", "--csat-scale", "0-10", path)
    assert result.exit_code == 0, result.output
    assert json.loads(run_cli("score", "--json").stdout)["csat"] == {"score": 50.0, "n": 6, "satisfied": 3}
    assert sorted(r[0] for r in raw_rows(db_path, "SELECT score_original FROM survey_responses")) == [0, 5, 7, 9, 9, 10]


def test_english_question_header_and_json_lines(run_cli, tmp_path: Path, db_path: Path) -> None:
    # a column named CSAT holds CSAT answers (no kind column)
    csv_path = write_csv(tmp_path / "csat.csv", ["Timestamp", "CSAT", "Comment"],
                         [[f"2026-03-0{i + 1}T08:00:00Z", s, ""] for i, s in enumerate([8, 10, 6, 2])])
    refused = run_cli("import", "--no-sentiment", csv_path)
    assert refused.exit_code == 2 and "column 'CSAT': 3 of 4 CSAT answers are above 5" in refused.stderr
    jsonl = tmp_path / "ces.jsonl"
    jsonl.write_text("".join(json.dumps({"id": f"j{i}", "kind": "ces", "score": s, "created_at": "2026-03-01"}) + "\n"
                             for i, s in enumerate([9, 10, 8, 1])), encoding="utf-8")
    refused = run_cli("import", "--no-sentiment", jsonl)
    assert refused.exit_code == 2 and "column 'score': 3 of 4 CES answers are above 7" in refused.stderr
    assert db_counts(db_path)["survey_responses"] == 0
    # CES 9, 10, 8, 1 on 1-10: sum 28, normalised (28 / 4) / 10 * 100 = 70.0
    assert run_cli("import", "--no-sentiment", "--ces-scale", "1-10", jsonl).exit_code == 0
    assert json.loads(run_cli("score", "--json").stdout)["ces"]["normalized"] == 70.0


def test_short_and_blank_rows_do_not_hide_answers_from_the_check(run_cli, tmp_path: Path, db_path: Path) -> None:
    # a row with fewer cells than the header, and a blank line, between the answers:
    # the 3 answers after them still count (3 of 4 above 5)
    path = tmp_path / "ragged.csv"
    path.write_text("id,kind,score,comment,created_at\n"
                    "a1,csat,9,,2026-03-01\nshort\n\na2,csat,8,,2026-03-02\na3,csat,10,,2026-03-03\n"
                    "a4,csat,2,,2026-03-04\n", encoding="utf-8")
    result = run_cli("import", "--no-sentiment", path)
    assert result.exit_code == 2 and "3 of 4 CSAT answers are above 5" in result.stderr


def test_a_wider_scale_given_for_a_1_5_file_is_refused(run_cli, tmp_path: Path, db_path: Path) -> None:
    # 20 answers on 1-5 read as 1-10 would make every 5 a middling answer: CSAT 0 %
    path = write_csv(tmp_path / "five.csv", HEADER, _rows("csat", [5, 4, 3, 5, 4] * 4))
    result = run_cli("import", "--no-sentiment", "--csat-scale", "1-10", path)
    assert result.exit_code == 2
    (line,) = _error_lines(result)
    assert "--csat-scale 1-10 was given, but none of the 20 CSAT answers is above 5 (the highest is 5)" in line
    assert db_counts(db_path)["survey_responses"] == 0
    # a handful of answers cannot tell: imported as asked
    few = write_csv(tmp_path / "few.csv", HEADER, _rows("csat", [5, 4, 3]))
    assert run_cli("import", "--no-sentiment", "--csat-scale", "1-10", few).exit_code == 0


def test_a_profile_names_the_scale(run_cli, tmp_path: Path) -> None:
    (tmp_path / "absent-config.toml").write_text('[imports.tenpoint]\ncsat_scale = "1-10"\n\n'
                                                 '[imports.typo]\ncsat_scale = "10"\n', encoding="utf-8")
    path = write_csv(tmp_path / "n2.csv", HEADER, _rows("csat", [8, 9]))
    assert run_cli("import", "--no-sentiment", "--profile", "tenpoint", path).exit_code == 0
    assert json.loads(run_cli("score", "--json").stdout)["csat"] == {"score": 50.0, "n": 2, "satisfied": 1}
    typo = run_cli("import", "--no-sentiment", "--profile", "typo", path)
    assert typo.exit_code == 2 and "csat_scale must be one of 1-5, 1-7, 1-10, 0-10, got '10'" in typo.stderr
