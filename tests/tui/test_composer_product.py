"""The composer's proposed reply names the product as a customer knows it, or leaves it out.

Trustpilot (REAL_DATA.md 3a) stores the shop's domain as its product: "www.lepetitvapoteur.com"
gave "merci beaucoup pour votre avis sur Com !". TripAdvisor (4a) stores the restaurant's number:
"sur 8 !". The files here are our own, in those exports' shapes (invented names and texts),
imported through the real CLI; the replies are read in the real composer, driven by Pilot.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_csv
from test_composer import editor, first_id, make_app, open_composer
from tui_helpers import SIZE, settle

TRUSTPILOT = ["consumer_name", "consumer_nb_review_writed", "stars", "title_review", "content_review",
              "date_experience", "company"]
TRIPADVISOR = ["id_avis", "id_restaurant", "nom_utilisateur", "note_restaurant", "date_avis", "titre_avis",
               "contenu_avis"]


@pytest.fixture
def shops_db(run_cli, db_path: Path, tmp_path: Path) -> Path:
    trustpilot = write_csv(tmp_path / "trustpilot.csv", TRUSTPILOT, [
        ["Maëlle Vidal", 3, 5, "Parfait", "Commande reçue en deux jours, très bien emballée.", "14 mars 2026",
         "www.levapoteurdemo.com"],
    ])
    tripadvisor = write_csv(tmp_path / "avis.csv", TRIPADVISOR, [
        [1, 8, "Gourmet4242", "5.0", "Rédigé le 6 octobre 2026", "Excellent", "Une cuisine fine et un service "
         "attentionné, nous reviendrons."],
    ])
    for path in (trustpilot, tripadvisor):
        result = run_cli("import", path)  # with sentiment: the language chooses the French template
        assert result.exit_code == 0, result.output
    return db_path


@pytest.mark.parametrize(("where", "expected", "unwanted"), [
    ("source = 'trustpilot'", "Bonjour Maëlle Vidal, merci beaucoup pour votre avis sur Levapoteurdemo ! ", "Com"),
    ("source = 'tripadvisor'", "Bonjour Gourmet4242, merci beaucoup pour votre avis ! Nous sommes ravis", "8"),
])
async def test_the_proposed_reply_names_the_shop_or_leaves_the_number_out(shops_db: Path, where: str,
                                                                         expected: str, unwanted: str) -> None:
    target = first_id(shops_db, where)
    app = make_app(shops_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        text = editor(app).text
        assert text.startswith(expected), text
        assert f"sur {unwanted} " not in text and "notre application" not in text
