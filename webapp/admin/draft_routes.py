"""A process's draft (草稿) in the admin area: the one piece the modeler, the form editor and the
decision editor save through, and publishing or discarding the draft.

Each editor saves its file into the process's draft (`bpmn.save_to_draft`), which validates the whole
working set as a deploy would and stores no version; `save_into_draft` is that save with its answers
(a refusal naming the file and element: 422; a draft or page on an older version: 409, worded in the
person's language; nothing stored either way). Publishing deploys the draft as ONE new version on top
of the version it was started from; a draft whose version was replaced meanwhile is a 409 and can only
be discarded.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from engine import bpmn
from engine.errors import Conflict, DeployError, NotFound

from ..extensions import db, engine
from ..ui.denial_text import denial_text
from ..ui.deploy_text import deploy_error_text
from ..ui.names import process_name
from .blueprint import bp
from .people_forms import directory_rules

#: what an editor page is rendered with after a refused save: (error text, whether it is a conflict)
Page = Callable[[str, bool], str]


def conflict_text(key: str, opened: int, exc: Exception | None = None) -> str:
    """Why a save or a publish on top of version `opened` was refused: the file was changed in the
    draft since it was opened (who, when), the draft is stale, or the page was opened on a version
    replaced meanwhile."""
    if isinstance(exc, bpmn.FileConflict):
        if exc.changed_by and exc.changed_at:
            return _("%(file)s was changed in the draft by %(who)s at %(when)s, after you opened it, so "
                     "nothing was saved. Copy your change, reopen the file and make it again.",
                     file=exc.filename, who=exc.changed_by, when=format_datetime(exc.changed_at, "short"))
        return _("%(file)s was changed in the draft after you opened it, so nothing was saved. Copy your "
                 "change, reopen the file and make it again.", file=exc.filename)
    working = bpmn.working_set(db.session, current_user, key)
    draft = working.draft
    if draft is not None and draft.stale:
        return _("Version %(latest)s was deployed after this draft was started from version %(base)s, so it "
                 "can no longer be published. Discard it and make the changes again on the newest version.",
                 latest=draft.latest, base=draft.base)
    latest = draft.latest if draft else working.base
    return _("Version %(latest)s of this process was saved after you opened version %(opened)s, so "
             "nothing was saved. Copy your change, open the newest version and make it again.",
             latest=latest, opened=opened)


def save_into_draft(key: str, uploads: list[bpmn.Upload], opened: int, page: Page, back: str,
                    revisions: Mapping[str, str] | None = None) -> Any:
    """Save `uploads` into the process's draft on top of version `opened`, each file of `revisions` at
    the revision the editor opened it; refused, the editor's `page` again (422, or 409 for an older
    version or a file changed in the draft meanwhile) with nothing stored; saved, back to `back`."""
    try:
        save(key, uploads, opened, revisions)
    except DeployError as exc:
        db.session.rollback()
        return page(deploy_error_text(exc), False), 422
    except Conflict as exc:
        db.session.rollback()
        return page(conflict_text(key, opened, exc), True), 409
    db.session.commit()
    flash(saved_text(key), "success")
    return redirect(back, 303)


def save(key: str, uploads: list[bpmn.Upload], opened: int,
         revisions: Mapping[str, str] | None = None) -> bpmn.Draft:
    return bpmn.save_to_draft(db.session, current_user, key, uploads, engine().clock(), opened,
                              roles=directory_rules().role_scopes.keys(), opened=revisions)


def opened_revision(filename: str) -> dict[str, str]:
    """The revision the editor's form says `filename` was opened at (field `revision`; 400 without)."""
    raw = request.form.get("revision")
    if raw is None:
        abort(400)
    return {filename: raw}


def _seen() -> dict[str, str]:
    """The draft the publish form was shown: its `seen` fields, `filename:revision` each (none: the
    page showed no file, so every file of the draft is one it did not show)."""
    return dict(item.rsplit(":", 1) for item in request.form.getlist("seen") if ":" in item)


def changed_text(exc: bpmn.DraftChanged) -> str:
    return _("The draft was changed after this page showed it (%(files)s). Look at the draft again and "
             "publish it if it is still right.", files=", ".join(exc.files))


def saved_text(key: str) -> str:
    return _("Saved to the draft of %(process)s. Publish the draft to make one new version of all its "
             "changes.", process=process_name(key))


@bp.post("/models/<key>/draft/publish")
def publish_draft(key: str) -> Any:
    from .model_routes import model_page
    try:
        result = bpmn.publish_draft(db.session, current_user, key, engine().clock(),
                                    roles=directory_rules().role_scopes.keys(), seen=_seen())
    except bpmn.DraftChanged as exc:  # someone saved into the draft after the page showed it
        db.session.rollback()
        return model_page(key, draft_error=changed_text(exc)), 409
    except Conflict as exc:  # the draft's version was replaced meanwhile
        db.session.rollback()
        return model_page(key, draft_error=denial_text(exc)), 409
    except DeployError as exc:
        db.session.rollback()
        return model_page(key, error=exc), 422
    except NotFound:
        db.session.rollback()
        bpmn.process_versions(db.session, current_user, key)  # a process not deployed: 404
        flash(_("There is no draft to publish (someone published or discarded it)."), "info")
        return redirect(url_for("admin.model", key=key), 303)
    db.session.commit()
    flash(_("%(process)s: the draft was published as version %(version)d; new cases start on it, running "
            "ones stay on theirs.", process=process_name(key), version=result.version), "success")
    return redirect(url_for("admin.model", key=key, _anchor=f"version-{result.version}"), 303)


@bp.post("/models/<key>/draft/discard")
def discard_draft(key: str) -> Any:
    try:
        bpmn.discard_draft(db.session, current_user, key, engine().clock())
    except NotFound:
        db.session.rollback()
        bpmn.process_versions(db.session, current_user, key)  # a process not deployed: 404
        flash(_("There is no draft to discard (someone published or discarded it)."), "info")
        return redirect(url_for("admin.model", key=key), 303)
    db.session.commit()
    flash(_("%(process)s: the draft was discarded.", process=process_name(key)), "info")
    return redirect(url_for("admin.model", key=key), 303)


@bp.get("/models/<key>/draft/files/<path:filename>")
def draft_file(key: str, filename: str) -> Any:
    """A file of the working set (the draft's copy where it has one) as plain text: what the modeler
    opens."""
    found = bpmn.working_set(db.session, current_user, key).files.get(filename)
    if found is None:
        abort(404)
    return Response(found.content, mimetype="text/plain", headers={
        "Content-Disposition": f'inline; filename="{found.filename}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"})


def draft_panel(key: str, draft: bpmn.Draft | None) -> str:
    """The draft's panel as the pages show it (the modeler puts it in place after a save)."""
    return render_template("admin/_draft.html", draft=draft, process_key=key)
