"""Administration of the vocabulary: skills with labels and synonyms, spoken languages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.admin.forms import UI_LANGUAGE_NAMES, LanguageForm, NewSkillForm, SkillForm
from app.admin.views import Page, bp, mark_taken, status_of
from app.extensions import db
from app.offices.services import Taken
from app.vocab import services as vocab
from app.vocab.models import Skill


def skill_page(form: SkillForm, skill: Skill | None) -> Page:
    return render_template(
        "admin/skill.html", form=form, skill=skill, ui_languages=UI_LANGUAGE_NAMES
    ), status_of(form)


@bp.get("/begriffe")
def vocabulary() -> str:
    return render_template(
        "admin/vocabulary.html",
        skills=vocab.list_skills(session=db.session),
        languages=vocab.language_choices(session=db.session, locale=str(get_locale())),
        ui_languages=UI_LANGUAGE_NAMES,
    )


@bp.route("/faehigkeiten/neu", methods=["GET", "POST"])
def new_skill() -> Response | Page:
    form = NewSkillForm()
    if form.validate_on_submit():
        try:
            vocab.add_skill(
                session=db.session,
                key=form.key.data or "",
                labels=form.labels(),
                synonyms=form.synonym_list(),
            )
        except Taken as error:
            mark_taken(form, error)
        else:
            flash(_("The skill is added."), "success")
            return redirect(url_for("admin.vocabulary"))
    return skill_page(form, None)


@bp.route("/faehigkeiten/<int:skill_id>", methods=["GET", "POST"])
def edit_skill(skill_id: int) -> Response | Page:
    skill = db.session.get(Skill, skill_id)
    if skill is None:
        abort(404)
    stored = {f"label_{code}": text for code, text in skill.labels.items()}
    # Prefilled only when shown: a sent form replaces the labels, also with empty ones.
    form = (
        SkillForm(data={**stored, "synonyms": ", ".join(skill.synonyms)})
        if request.method == "GET"
        else SkillForm()
    )
    if form.validate_on_submit():
        vocab.update_skill(
            session=db.session, skill=skill, labels=form.labels(), synonyms=form.synonym_list()
        )
        flash(_("The skill is saved."), "success")
        return redirect(url_for("admin.vocabulary"))
    return skill_page(form, skill)


@bp.route("/sprachen/neu", methods=["GET", "POST"])
def new_language() -> Response | Page:
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            language = vocab.add_language(session=db.session, code=form.code.data or "")
        except Taken as error:
            mark_taken(form, error)
        else:
            name = vocab.label(language.labels, str(get_locale()), language.code)
            flash(_("%(language)s is added.", language=name), "success")
            return redirect(url_for("admin.vocabulary"))
    return render_template("admin/language.html", form=form), status_of(form)
