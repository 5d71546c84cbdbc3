"""A Flask site with its own users that mounts elearn at /kurs: its signed-in people are the
learners, its layout wraps elearn's pages, its admins run elearn for their organisation."""

import os

from flask import Flask, redirect, render_template_string, request, url_for
from flask_login import LoginManager, UserMixin, login_user, logout_user
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash

from elearn import Elearn, HostLearner

db = SQLAlchemy()
login_manager = LoginManager()
login_manager.login_view = "login"  # elearn sends people here, with ?next= back


class Person(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), unique=True, nullable=False)
    name = db.Column(db.String(200))
    password_hash = db.Column(db.String(255), nullable=False)
    is_admin = db.Column(db.Boolean, default=False, nullable=False)


@login_manager.user_loader
def load_person(person_id: str) -> Person | None:
    return db.session.get(Person, int(person_id))


def learner_from_host(person: Person) -> HostLearner | None:
    """Called on every elearn request with the signed-in person: who they are to elearn."""
    return HostLearner(
        external_id=str(person.id),  # stable: never the e-mail, which may change
        display_name=person.name,
        email=person.email,
        profession="teacher",
        organisation="eksempel-kommune",
        roles=("org_admin",) if person.is_admin else (),
    )


PAGE = """{% extends "layout.html" %}{% block title %}{{ title }}{% endblock %}
{% block content %}<h1>{{ title }}</h1>{{ body | safe }}{% endblock %}"""
LOGIN_FORM = """<form method="post"><label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="username">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Log in</button></form>"""


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev only"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite:///host.sqlite3"),
        ELEARN_BASE_TEMPLATE="layout.html",  # elearn's pages inside this site's layout
    )
    app.config.update(config or {})
    db.init_app(app)
    login_manager.init_app(app)

    @app.get("/")
    def home() -> str:
        body = '<p><a href="/kurs/">Courses</a></p>'
        return render_template_string(PAGE, title="Eksempel kommune", body=body)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> object:
        if request.method == "POST":
            person = db.session.scalar(db.select(Person).filter_by(email=request.form["email"]))
            if person and check_password_hash(person.password_hash, request.form["password"]):
                login_user(person)
                target = request.args.get("next", "")
                safe = target.startswith("/") and not target.startswith("//")
                return redirect(target if safe else url_for("home"))
        return render_template_string(PAGE, title="Log in", body=LOGIN_FORM)

    @app.post("/logout")
    def logout() -> object:
        logout_user()  # ends the elearn session too: elearn asks current_user every time
        return redirect(url_for("home"))

    with app.app_context():
        db.create_all()  # this site's tables; `flask elearn upgrade` makes elearn's
        Elearn(app, url_prefix="/kurs", engine=db.engine, learner_from_host=learner_from_host)
    return app
