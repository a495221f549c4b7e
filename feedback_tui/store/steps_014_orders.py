"""Schema step m014: orders, customers, their links to feedback, and retention costs.

Orders are stored one row per order (the import sums an invoice's lines), keyed
by (source, order_id) so that importing a file again updates instead of adding.
``purchase`` is decided at the import (amount > 0 and not a cancelled status):
every retention figure counts purchases only, while cancellations and returns
stay visible. ``customers`` is keyed by the customer id the orders carry; the
links from reviews are explicit (a ``customer`` column or ``link-customers``),
never guessed from an author's name. Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_007_012  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script


@migrations()
def m014_orders(db: Database) -> None:
    """Orders, customers, review-to-customer links and retention spend."""
    run_script(
        db,
        """
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            order_id TEXT NOT NULL,
            customer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            amount REAL NOT NULL,
            purchase INTEGER NOT NULL CHECK (purchase IN (0, 1)),
            currency TEXT,
            status TEXT,
            country TEXT,
            lines INTEGER NOT NULL DEFAULT 1,
            import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL,
            UNIQUE (source, order_id)
        );
        CREATE INDEX orders_purchases ON orders(created_at, customer, amount) WHERE purchase = 1;
        CREATE INDEX orders_customer ON orders(customer, created_at);
        CREATE TABLE customers (
            customer TEXT PRIMARY KEY,
            first_purchase_at TEXT,
            last_purchase_at TEXT,
            purchases INTEGER NOT NULL DEFAULT 0,
            country TEXT
        ) WITHOUT ROWID;
        CREATE TABLE review_customers (
            review_id INTEGER PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE,
            customer TEXT NOT NULL,
            linked_by TEXT NOT NULL
        );
        CREATE INDEX review_customers_customer ON review_customers(customer);
        CREATE INDEX survey_responses_customer ON survey_responses(customer) WHERE customer IS NOT NULL;
        CREATE TABLE retention_costs (
            period TEXT PRIMARY KEY,
            amount REAL NOT NULL,
            import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL
        )
        """,
    )
