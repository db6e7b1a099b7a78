"""Users, their roles and stores: lists, create and edit forms, password reset.

Each view parses the form, calls one function of `engine.directory` (which checks the admin rule
again and validates), commits, and redirects with a message (303); a refused form is shown again
with the reason beside each field (422) and nothing saved.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import directory
from engine.errors import InvalidData

from ..extensions import db, engine
from ..web_sessions import keep_signed_in
from . import people_forms as forms
from .away_routes import away_context
from .blueprint import bp


def _role_catalogue() -> Any:
    from workflows.roles import ROLES
    return ROLES


# -- users ----------------------------------------------------------------------------------------

@bp.get("/users")
def users() -> Any:
    text, role = request.args.get("q", "").strip(), request.args.get("role", "").strip()
    rows = directory.list_users(db.session, current_user, text=text, role=role)
    return render_template("admin/users.html", users=rows, q=text, role=role, roles=_role_catalogue())


def _user_form(account: directory.UserRow | None, form: Mapping[str, Any],
               fields: Mapping[str, str] | None = None, status: int = 200) -> Any:
    fields = fields or {}
    choices = directory.scope_choices(db.session, current_user)
    extra = away_context(account) if account else {}
    return render_template("admin/user_form.html", account=account, form=form, choices=choices,
                           roles=_role_catalogue(), errors=forms.errors_by_id(fields),
                           problems=forms.summary(fields), **extra), status


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Any:
    if request.method == "GET":
        return _user_form(None, {"locale": "zh_CN", "active": True, "roles": []})
    values = forms.new_user(request.form)
    try:
        row = directory.create_user(db.session, current_user, forms.directory_rules(), now=engine().clock(),
                                    **values)
    except InvalidData as exc:
        db.session.rollback()
        return _user_form(None, {**values, "password": ""}, exc.fields, 422)
    db.session.commit()
    flash(_("User %(name)s created.", name=row.username), "success")
    return redirect(url_for("admin.edit_user", user_id=row.id), 303)


def _shown(account: directory.UserRow) -> dict[str, Any]:
    return {"username": account.username, "display_name": account.display_name, "email": account.email or "",
            "locale": account.locale, "active": account.active, "roles": list(account.roles)}


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> Any:
    account = directory.get_user(db.session, current_user, user_id)
    if request.method == "GET":
        return _user_form(account, _shown(account))
    values = forms.user_details(request.form)
    try:
        row = directory.update_user(db.session, current_user, forms.directory_rules(), user_id,
                                    now=engine().clock(), **values)
    except InvalidData as exc:
        db.session.rollback()
        return _user_form(account, {**_shown(account), **values}, exc.fields, 422)
    db.session.commit()
    flash(_("User %(name)s saved.", name=row.username), "success")
    return redirect(url_for("admin.edit_user", user_id=row.id), 303)


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> Any:
    try:
        row = directory.reset_password(db.session, current_user, user_id, request.form.get("password", ""),
                                       now=engine().clock())
    except InvalidData as exc:
        db.session.rollback()
        account = directory.get_user(db.session, current_user, user_id)
        return _user_form(account, _shown(account), exc.fields, 422)
    if row.id == current_user.id:
        keep_signed_in(current_user)
    db.session.commit()
    flash(_("The password of %(name)s has been reset. Tell them the new one in person.", name=row.username),
          "success")
    return redirect(url_for("admin.edit_user", user_id=row.id), 303)


# -- stores ---------------------------------------------------------------------------------------

@bp.get("/stores")
def stores() -> Any:
    return render_template("admin/stores.html", stores=directory.list_stores(db.session, current_user),
                           **forms.store_words())


def _store_form(store: directory.StoreRow | None, form: Mapping[str, Any],
                fields: Mapping[str, str] | None = None, status: int = 200) -> Any:
    fields = fields or {}
    regions = directory.scope_choices(db.session, current_user).regions
    return render_template("admin/store_form.html", store=store, form=form, regions=regions,
                           kinds=directory.STORE_KINDS, statuses=directory.STORE_STATUSES,
                           **forms.store_words(),
                           errors=forms.errors_by_id(fields), problems=forms.summary(fields)), status


@bp.route("/stores/new", methods=["GET", "POST"])
def new_store() -> Any:
    if request.method == "GET":
        return _store_form(None, {"kind": "direct", "status": "planned"})
    values = forms.store_fields(request.form)
    code = request.form.get("code", "")
    try:
        row = directory.create_store(db.session, current_user, code=code, now=engine().clock(), **values)
    except InvalidData as exc:
        db.session.rollback()
        return _store_form(None, {**values, "code": code}, exc.fields, 422)
    db.session.commit()
    flash(_("Store %(code)s created.", code=row.code), "success")
    return redirect(url_for("admin.stores"), 303)


@bp.route("/stores/<code>", methods=["GET", "POST"])
def edit_store(code: str) -> Any:
    store = directory.get_store(db.session, current_user, code)
    if request.method == "GET":
        return _store_form(store, asdict(store))
    values = forms.store_fields(request.form)  # a posted `code` is ignored: the code never changes
    try:
        row = directory.update_store(db.session, current_user, store.code, now=engine().clock(), **values)
    except InvalidData as exc:
        db.session.rollback()
        return _store_form(store, {**asdict(store), **values}, exc.fields, 422)
    db.session.commit()
    flash(_("Store %(code)s saved.", code=row.code), "success")
    return redirect(url_for("admin.stores"), 303)
