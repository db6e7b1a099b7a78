"""The case list's CSV export as Excel opens it: a byte order mark, ISO dates, plain numbers, and a
stream whose first chunk (the header) leaves before any row is read; who may not see a case does
not find it in the file either."""
from __future__ import annotations

import csv
import io
import re

from webapp.cases.services import CSV_CHUNK
from webapp.extensions import db, engine
from workflows import history_paths
from workflows.history_seed import seed_history


def seeded(app, app_clock, cases: int) -> None:
    with app.app_context():
        seed_history(db.session, model=history_paths, cases=cases, now=app_clock(), days=60, seed=7,
                     catalogue=engine().catalogue)
        db.session.commit()


def test_the_export_streams_excel_friendly_rows(app, client, auth, app_clock):
    seeded(app, app_clock, CSV_CHUNK + 20)
    auth.login("director")
    response = client.get("/cases/export.csv", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    chunks = list(response.response)
    response.close()
    assert chunks[0].startswith("\ufeff".encode()) and chunks[0].count(b"\n") == 1  # the header alone
    assert len(chunks) >= 3  # then the rows, CSV_CHUNK lines at a time
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "案件编号" or header[0]  # the header is in the person's language
    assert len(body) == CSV_CHUNK + 20 and all(len(r) == len(header) for r in body)
    for row in body:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row[9]), row[9]  # started: ISO, local
        assert row[10] == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row[10])
        assert re.fullmatch(r"\d+\.\d", row[11]), row[11]  # age in hours: no separators, no unit
        assert re.fullmatch(r"\d+", row[3])  # version


def export(client, auth, who: str, query: str = "") -> list[list[str]]:
    auth.login(who)
    text = client.get(f"/cases/export.csv{query}").get_data().decode("utf-8-sig")
    auth.logout()
    return list(csv.reader(io.StringIO(text)))[1:]


def test_the_export_holds_only_what_the_person_may_see(app, client, auth, app_clock):
    seeded(app, app_clock, 60)
    everything = {r[0] for r in export(client, auth, "director")}
    sh001 = {r[0] for r in export(client, auth, "director", "?store=SH001")}
    mine = {r[0] for r in export(client, auth, "manager_sh001")}
    assert sh001 and sh001 <= mine < everything  # their store's cases, and those they took part in
    assert {r[0] for r in export(client, auth, "manager_sh001", "?store=SH001")} == sh001
