"""The researcher's pages as routes: the form, the status page, the acknowledgments and the
pages' scripts and style (a blueprint app.py registers)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.domain.errors import NotFound, VdpError
from chalicelib.web import cors, requests, responses

pages = Blueprint(__name__)


@pages.route("/form", methods=["GET"])
@responses.guarded
def form() -> Response:
    from chalicelib.web.pages.form_page import form_page

    html = form_page(bootstrap.policy(), form_token=form_token())
    return responses.page(html, cors.configured_origins())


def form_token() -> str:
    """The token a form page carries for a browser without JavaScript ("" if the secret
    it is signed with cannot be read now: then the post asks for a proof, and says how)."""
    from chalicelib.usecases.reporter.abuse import new_form_token

    try:
        return new_form_token(bootstrap.ports(), bootstrap.clock())
    except VdpError:
        return ""


@pages.route("/status", methods=["GET"])
@responses.guarded
def status() -> Response:
    from chalicelib.web.pages.status import lookup_page

    return responses.page(lookup_page(bootstrap.policy()), cors.configured_origins())


@pages.route("/status", methods=["POST"], content_types=list(requests.FORM_TYPES))
@responses.guarded
def status_post() -> Response:
    """The status page for the report id and receipt in the body (and follow-ups)."""
    from chalicelib.web.pages.statuspost import answer_status_post

    request, policy = requests.in_progress(pages), bootstrap.policy()
    return answer_status_post(request, policy, bootstrap.ports(), cors.configured_origins())


@pages.route("/embed.js", methods=["GET"])
def embed_js() -> Response:
    from chalicelib.web.pages.shell import ASSET_TYPES, web_file

    return responses.asset(web_file("embed.js"), ASSET_TYPES["embed.js"])


@pages.route("/assets/{name}", methods=["GET"])
@responses.guarded
def asset(name: str) -> Response:
    from chalicelib.web.pages.shell import ASSET_TYPES, web_file

    if name not in ASSET_TYPES:
        raise NotFound()
    return responses.asset(web_file(name), ASSET_TYPES[name])


@pages.route("/acknowledgments", methods=["GET"])
@responses.guarded
def acknowledgments() -> Response:
    from chalicelib.usecases.team.credits import public_credits, render

    # Reads only the public object the team publishes: this function cannot decrypt.
    found = public_credits(bootstrap.ports())
    if "application/json" in requests.in_progress(pages).headers.get("accept", ""):
        return responses.text_response(render(found, "json", ""), requests.JSON_TYPE)
    from chalicelib.web.pages.acknowledgments import acknowledgments_page

    page = acknowledgments_page(bootstrap.policy(), found)
    return responses.page(page, cors.configured_origins())
