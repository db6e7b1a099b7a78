"""Sanity check that the PostgreSQL server started by `make test` works (chromium is proven by
tests/browser, which share one Playwright session)."""

import pytest
import sqlalchemy


@pytest.mark.postgres
def test_postgres_answers(postgres_url):
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("select 1")).scalar_one() == 1
            assert conn.execute(sqlalchemy.text("show server_encoding")).scalar_one() == "UTF8"
            assert conn.execute(sqlalchemy.text("select '运营中心'")).scalar_one() == "运营中心"
    finally:
        engine.dispose()
