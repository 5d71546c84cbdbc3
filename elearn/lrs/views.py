"""The xAPI resources over HTTP, as their own blueprint at `<prefix>/xapi/`.

Its own blueprint because an LRS is not a web page: no session cookie, no CSRF token (clients
authenticate with HTTP Basic on every request), errors as JSON or text instead of HTML pages,
CORS for content running in other origins, and a larger request size limit.

Each request is first turned into an `XRequest` (method, parameters, headers, body) whether it
came in the normal syntax or the alternate `?method=` form syntax (Communication 1.3), so every
handler serves both the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from elearn import ratelimit
from elearn.db import get_session, utcnow
from elearn.lrs import attachments as att
from elearn.lrs import documents as docs
from elearn.lrs import query as q
from elearn.lrs.auth import Principal, authenticate, authority_for
from elearn.lrs.formats import canonical_format, ids_format
from elearn.lrs.validation import (
    IRI_RE,
    UUID_RE,
    XAPI_2,
    Invalid,
    loads,
    parse_timestamp,
    validate_agent,
    validate_statements,
)
from elearn.ratelimit import limiter
from elearn.tracking import keys as K
from elearn.tracking.store import (
    STATEMENT_VERSION,
    DuplicateInBatch,
    StatementConflict,
    add_statements,
    scope_of_client,
)

XAPI_VERSION = "1.0.3"
XAPI_2_VERSION = "2.0.0"
SUPPORTED_VERSIONS = ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"]
VERSION_HEADER_RE = re.compile(r"^1\.0(\.\d+)?$")
VERSION_2_HEADER_RE = re.compile(r"^2\.0(\.\d+)?$")
ALT_HEADERS = (
    "Authorization",
    "X-Experience-API-Version",
    "Content-Type",
    "Content-Length",
    "If-Match",
    "If-None-Match",
)
EXPOSED = "ETag, Last-Modified, Content-Type, X-Experience-API-Consistent-Through, X-Experience-API-Version"
ALLOWED_HEADERS = (
    "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
    "Accept, Accept-Language, X-Requested-With"
)
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]


class LrsError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class XRequest:
    method: str
    params: dict[str, str]
    headers: Headers
    body: bytes
    alternate: bool

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def mime(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


# -- building the request ---------------------------------------------------------------------
def _single(multi: Any, where: str) -> dict[str, str]:
    out = {}
    for name in multi:
        values = multi.getlist(name)
        if len(values) > 1:
            raise LrsError(400, f"parameter {name!r} is given {len(values)} times in the {where}")
        out[name] = values[0]
    return out


def _body() -> bytes:
    """The request body, or 413. A streamed (chunked) body has no Content-Length to refuse
    up front; Werkzeug stops reading it at the limit without saying so, which cut bodies to
    the limit: a body that reaches the limit is refused instead."""
    data = request.get_data(cache=False)
    if request.content_length is None and len(data) >= max_bytes():
        raise RequestEntityTooLarge()
    return data


def build_xrequest(resource: str = "") -> XRequest:
    if "method" not in request.args:
        return XRequest(
            request.method,
            _single(request.args, "query string"),
            Headers(request.headers),
            _body(),
            False,
        )
    # Alternate request syntax (Communication 1.3).
    if request.method != "POST":
        raise LrsError(400, "the alternate request syntax (?method=…) must be sent as POST")
    if request.mimetype != "application/x-www-form-urlencoded":
        raise LrsError(
            400, "the alternate request syntax needs Content-Type application/x-www-form-urlencoded"
        )
    method = request.args["method"].upper()
    if method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        raise LrsError(400, f"method={request.args['method']!r} is not an xAPI method")
    extra = sorted(set(request.args) - {"method"})
    if extra:  # 1.3.s3.b3/b13: every other parameter belongs in the form
        raise LrsError(
            400,
            "the alternate request syntax takes no query string parameter but 'method' "
            f"(put {', '.join(map(repr, extra))} in the form)",
        )
    form = _single(request.form, "form")
    headers = Headers(request.headers)
    headers.remove("Content-Type")
    for name in ALT_HEADERS:
        for key in list(form):
            if key.lower() == name.lower():
                headers.set(name, form.pop(key))
    if "content" in form and "Content-Type" not in headers and resource == "statements":
        # 1.3.s3.b10 is a SHOULD: statement content without a Content-Type form field is JSON,
        # the only type statements can have in this syntax (no attachments).
        headers.set("Content-Type", "application/json")
    body = form.pop("content", "").encode("utf-8")
    return XRequest(method, form, headers, body, True)


def _check_params(x: XRequest, allowed: tuple[str, ...]) -> None:
    """Communication 3.2.s3.b7/b8: unknown parameters (or known ones in the wrong case) are 400."""
    for name in x.params:
        if name in allowed:
            continue
        same = [a for a in allowed if a.lower() == name.lower()]
        if same:
            raise LrsError(400, f"parameter {name!r}: wrong case, the parameter is {same[0]!r}")
        raise LrsError(
            400,
            f"parameter {name!r} is not recognised here (allowed: {', '.join(allowed) or 'none'})",
        )


def _require(x: XRequest, name: str) -> str:
    if name not in x.params:
        raise LrsError(400, f"parameter {name!r} is required")
    return x.params[name]


def _iri_param(x: XRequest, name: str, required: bool = True) -> str | None:
    value = _require(x, name) if required else x.params.get(name)
    if value is not None and not IRI_RE.match(value):
        raise LrsError(400, f"parameter {name!r}: must be an absolute IRI, got {value!r}")
    return value


def _uuid_param(x: XRequest, name: str) -> str | None:
    value = x.params.get(name)
    if value is not None and not UUID_RE.match(value):
        raise LrsError(400, f"parameter {name!r}: must be a UUID, got {value!r}")
    return value


def _agent_param(
    x: XRequest, name: str = "agent", *, required: bool = True, group: bool = False
) -> dict[str, Any] | None:
    raw = _require(x, name) if required else x.params.get(name)
    if raw is None:
        return None
    agent = loads(raw, f"parameter {name}")
    return validate_agent(agent, f"parameter {name}", group_allowed=group)


def _bool_param(x: XRequest, name: str) -> bool:
    value = x.params.get(name, "false")
    if value not in ("true", "false"):
        raise LrsError(400, f"parameter {name!r}: must be true or false, got {value!r}")
    return value == "true"


def _time_param(x: XRequest, name: str) -> dt.datetime | None:
    value = x.params.get(name)
    if value is None:
        return None
    return parse_timestamp(value, f"parameter {name}").replace(tzinfo=None)


# -- responses ----------------------------------------------------------------------------------
def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, ensure_ascii=False), status, mimetype="application/json")


def _no_content() -> Response:
    return Response(status=204)


def _http_date(moment: dt.datetime) -> str:
    return format_datetime(moment.replace(tzinfo=dt.UTC), usegmt=True)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds") + "Z"


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Communication 3.2: the most fitting 4xx, with a body that says what is wrong."""
    if (
        request.accept_mimetypes.best_match(["application/json", "text/plain"]) == "text/plain"
        and "application/json" not in request.accept_mimetypes
    ):
        response = Response(message + "\n", status, mimetype="text/plain")
    else:
        response = _json({"status": status, "error": message}, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# -- authentication and authorisation ----------------------------------------------------------
def _principal(x: XRequest) -> Principal:
    principal = authenticate(
        get_session(), x.headers.get("Authorization"), current_app.config["SECRET_KEY"]
    )
    if principal is None:
        raise LrsError(
            401,
            "missing or wrong credentials: send HTTP Basic with an LRS client's key and secret",
            {"WWW-Authenticate": 'Basic realm="elearn xAPI", charset="UTF-8"'},
        )
    return principal


def _need(principal: Principal, allowed: bool, what: str) -> None:
    if not allowed:
        raise LrsError(
            403, f"this client's scopes ({' '.join(sorted(principal.scopes))}) do not allow {what}"
        )


def default_version() -> str:
    """The version a request without X-Experience-API-Version is answered in:
    ELEARN_XAPI_DEFAULT_VERSION, 1.0.3 unless set to 2.0.0."""
    value = str(current_app.config.get("ELEARN_XAPI_DEFAULT_VERSION") or "")
    return XAPI_2_VERSION if value.startswith("2") else XAPI_VERSION


def _check_version(x: XRequest) -> None:
    """1.0.x is answered as 1.0.3, 2.0.x as 2.0.0 (IEEE 9274.1.1), per request."""
    version = x.headers.get("X-Experience-API-Version")
    if version is None:
        raise LrsError(
            400,
            "the X-Experience-API-Version header is required (this LRS speaks 1.0.3 and 2.0.0)",
        )
    version = version.strip()
    if VERSION_2_HEADER_RE.match(version):
        g.xapi_version = XAPI_2_VERSION
        XAPI_2.set(True)
    elif VERSION_HEADER_RE.match(version):
        g.xapi_version = XAPI_VERSION
    else:
        raise LrsError(
            400,
            f"X-Experience-API-Version {version!r} is not supported: use 1.0.x (1.0.3) or 2.0.0",
        )


def is_v2(x: XRequest | None = None) -> bool:
    """Is this request answered as xAPI 2.0?"""
    return g.get("xapi_version") == XAPI_2_VERSION


# -- statements ---------------------------------------------------------------------------------
STATEMENT_GET_PARAMS = (
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "more",
)


def _consistent_headers(response: Response) -> Response:
    response.headers["X-Experience-API-Consistent-Through"] = _iso(utcnow())
    return response


def statements_put_post(x: XRequest, principal: Principal) -> Response:
    _need(principal, principal.can("statements/write"), "storing statements (statements/write)")
    if x.method == "PUT":
        _check_params(x, ("statementId",))
        statement_id = _require(x, "statementId")
        if not UUID_RE.match(statement_id):
            raise LrsError(400, f"parameter 'statementId': must be a UUID, got {statement_id!r}")
    else:
        _check_params(x, ())
    if x.mime == "multipart/mixed":
        if x.alternate:
            raise LrsError(400, "attachments cannot be sent with the alternate request syntax")
        raw, parts = att.parse_multipart(x.body, x.content_type)
    elif x.mime == "application/json":
        raw, parts = x.body, []
    else:
        raise LrsError(
            400,
            f"Content-Type must be application/json or multipart/mixed, got {x.mime or 'none'!r}",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LrsError(400, f"the body is not UTF-8 (Communication 1.4): {exc}") from exc
    payload = loads(text, "statements" if text.lstrip().startswith("[") else "statement")
    if isinstance(payload, list) and len(payload) > max_batch():
        raise LrsError(
            413,
            f"a batch holds at most {max_batch()} statements (ELEARN_LRS_MAX_BATCH); this one has "
            f"{len(payload)}: send it in several requests",
        )
    if x.method == "PUT":
        if not isinstance(payload, dict):
            raise LrsError(400, "PUT stores one statement: the body must be a JSON object")
        if "id" in payload and str(payload["id"]).lower() != statement_id.lower():
            raise LrsError(
                400,
                f"statement.id {payload['id']!r} differs from the statementId parameter {statement_id!r}",
            )
    statements = validate_statements(payload)
    if x.method == "PUT":
        statements[0] = {**statements[0], "id": statements[0].get("id", statement_id)}
    by_hash = att.check_attachments(statements, parts, x.mime == "multipart/mixed")
    att.check_signatures(statements, by_hash)
    ids = _store(statements, list(by_hash.values()), principal)
    return _no_content() if x.method == "PUT" else _json(ids)


def _store(
    statements: list[dict[str, Any]], parts: list[att.Part], principal: Principal
) -> list[str]:
    session = get_session()
    config = current_app.config
    authority = authority_for(principal, config["ELEARN_XAPI_HOMEPAGE"])
    for attempt in range(2):
        try:
            att.store_parts(session, parts)
            ids = add_statements(
                session,
                statements,
                authority=authority,
                forward=bool(config.get("ELEARN_LRS_ENDPOINT")),
                version=XAPI_2_VERSION if is_v2() else STATEMENT_VERSION,
                client_id=principal.id,
                organisation_id=principal.organisation_id,
                scope=scope_of_client(principal.organisation_id, principal.id, principal.scopes),
                attachment_data=[part.sha2 for part in parts],
            )
            session.commit()
            return ids
        except StatementConflict as exc:
            session.rollback()
            raise LrsError(409, str(exc)) from exc
        except DuplicateInBatch as exc:
            session.rollback()
            raise LrsError(400, str(exc)) from exc
        except IntegrityError:
            # Another request stored one of these ids between our check and our insert: look
            # again; now the usual "same content → fine, different → 409" rule applies.
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def statements_get(x: XRequest, principal: Principal) -> Response:
    _need(principal, principal.can("statements/read/mine"), "reading statements (statements/read)")
    _check_params(x, STATEMENT_GET_PARAMS)
    session = get_session()
    single = [p for p in ("statementId", "voidedStatementId") if p in x.params]
    if len(single) == 2:
        raise LrsError(400, "use statementId or voidedStatementId, not both")
    fmt = x.params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise LrsError(400, f"parameter 'format': must be ids, exact or canonical, got {fmt!r}")
    with_attachments = _bool_param(x, "attachments")
    if single:
        extra = set(x.params) - {single[0], "attachments", "format"}
        if extra:
            raise LrsError(
                400,
                f"{single[0]} may only be combined with attachments and format, not {', '.join(sorted(extra))}",
            )
        sid = x.params[single[0]]
        if not UUID_RE.match(sid):
            raise LrsError(400, f"parameter {single[0]!r}: must be a UUID, got {sid!r}")
        row = q.fetch_one(
            session, sid, voided=single[0] == "voidedStatementId", principal=principal
        )
        if row is None:
            raise LrsError(
                404,
                f"no {'voided ' if single[0] == 'voidedStatementId' else ''}statement with id {sid} (voided statements are fetched with voidedStatementId)",
            )
        statement = _formatted(json.loads(row.body), fmt)
        response = _statement_response(
            json.dumps(statement, ensure_ascii=False).encode(),
            [statement],
            with_attachments,
            principal,
        )
        response.headers["Last-Modified"] = _http_date(row.stored)
        return _consistent_headers(response)

    if "more" in x.params:
        params, cursor, until = q.decode_more(x.params["more"])
        inner = XRequest("GET", params, x.headers, b"", False)
        query = _statement_query(inner)
        query.cursor, query.until = cursor, until
    else:
        query = _statement_query(x)
        now = utcnow()
        query.until = min(query.until, now) if query.until else now  # pins later pages
    rows, more = q.run(session, query, principal)
    more_url = (
        url_for("elearn_xapi.statements", more=q.encode_more(query, rows[-1])) if more else ""
    )
    if fmt == "exact" and not with_attachments:
        body = (
            '{"statements":['
            + ",".join(r.body for r in rows)
            + '],"more":'
            + json.dumps(more_url)
            + "}"
        )
        response = Response(body, 200, mimetype="application/json")
    else:
        statements = [_formatted(json.loads(r.body), fmt) for r in rows]
        document = json.dumps(
            {"statements": statements, "more": more_url}, ensure_ascii=False
        ).encode()
        response = _statement_response(document, statements, with_attachments, principal)
    if rows:
        response.headers["Last-Modified"] = _http_date(max(r.stored for r in rows))
    return _consistent_headers(response)


def _statement_query(x: XRequest) -> q.StatementQuery:
    agent = _agent_param(x, required=False, group=True)
    verb = _iri_param(x, "verb", required=False)
    activity = _iri_param(x, "activity", required=False)
    registration = _uuid_param(x, "registration")
    limit_raw = x.params.get("limit", "0")
    if not limit_raw.isdigit():
        raise LrsError(400, f"parameter 'limit': must be a non-negative integer, got {limit_raw!r}")
    limit = int(limit_raw)
    query = q.StatementQuery(
        filters=q.build_filters(
            agent,
            verb,
            activity,
            registration,
            _bool_param(x, "related_agents"),
            _bool_param(x, "related_activities"),
        ),
        since=_time_param(x, "since"),
        until=_time_param(x, "until"),
        limit=min(limit, q.MAX_PAGE) if limit else q.MAX_PAGE,
        ascending=_bool_param(x, "ascending"),
        params={k: v for k, v in x.params.items() if k != "more"},
    )
    _bool_param(x, "attachments")
    return query


def _formatted(statement: dict[str, Any], fmt: str) -> dict[str, Any]:
    if fmt == "ids":
        return ids_format(statement)
    if fmt == "canonical":
        return canonical_format(statement, request.accept_languages)
    return statement


def _statement_response(
    document: bytes, statements: list[dict[str, Any]], with_attachments: bool, principal: Principal
) -> Response:
    if not with_attachments:
        return Response(document, 200, mimetype="application/json")
    body, content_type = att.multipart_response(
        document, statements, get_session(), lambda query: q.visible(query, principal)
    )
    return Response(body, 200, content_type=content_type)


# -- documents ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentResource:
    kind: int
    id_param: str
    scope_params: tuple[str, ...]
    scope_name: str  # for 403 messages
    without_precondition: int  # what a PUT with neither If-Match nor If-None-Match gets
    without_precondition_2: int  # ... in xAPI 2.0


STATE = DocumentResource(
    docs.STATE,
    "stateId",
    ("activityId", "agent", "registration"),
    "state",
    docs.OVERWRITE,
    docs.CONFLICT_IF_EXISTS,
)
ACTIVITY_PROFILE = DocumentResource(
    docs.ACTIVITY_PROFILE, "profileId", ("activityId",), "profile", docs.REQUIRED, docs.REQUIRED
)
AGENT_PROFILE = DocumentResource(
    docs.AGENT_PROFILE, "profileId", ("agent",), "profile", docs.REQUIRED, docs.REQUIRED
)


def _document_scope(x: XRequest, res: DocumentResource, principal: Principal) -> docs.Scope:
    return docs.Scope(
        kind=res.kind,
        organisation_id=principal.organisation_id,
        activity_id=_iri_param(x, "activityId") if "activityId" in res.scope_params else None,
        agent=_agent_param(x) if "agent" in res.scope_params else None,
        registration=_uuid_param(x, "registration") if "registration" in res.scope_params else None,
    )


def documents(x: XRequest, principal: Principal, res: DocumentResource) -> Response:
    reading = x.method in ("GET", "HEAD")
    allowed = principal.can(res.scope_name) or (reading and "all/read" in principal.scopes)
    _need(
        principal,
        allowed,
        f"{'reading' if reading else 'changing'} {res.scope_name} documents ({res.scope_name})",
    )
    listing = reading and res.id_param not in x.params
    params = res.scope_params + (res.id_param,) + (("since",) if listing else ())
    _check_params(x, params)
    scope = _document_scope(x, res, principal)
    session = get_session()
    doc_id = x.params.get(res.id_param)
    if listing:
        since = _time_param(x, "since")
        ids, latest = docs.list_ids(session, scope, since)
        response = _json(ids)
        if latest is not None:
            response.headers["Last-Modified"] = _http_date(latest)
        response.headers["ETag"] = f'"{docs.etag_of(response.get_data())}"'
        return response
    if reading:
        doc = docs.get_document(session, scope, doc_id)
        if doc is None:
            raise LrsError(404, f"no document with {res.id_param} {doc_id!r} here")
        response = Response(doc.content, 200, content_type=doc.content_type)
        response.headers["ETag"] = f'"{doc.etag}"'
        response.headers["Last-Modified"] = _http_date(doc.updated)
        return response
    if_match, if_none_match = x.headers.get("If-Match"), x.headers.get("If-None-Match")
    try:
        if x.method == "DELETE":
            if doc_id is None:
                if res.kind != docs.STATE:
                    raise LrsError(
                        400, f"parameter {res.id_param!r} is required to delete a profile"
                    )
                docs.delete_all(session, scope)
            else:
                docs.delete_document(
                    session, scope, doc_id, if_match=if_match, if_none_match=if_none_match
                )
        else:
            if doc_id is None:
                raise LrsError(400, f"parameter {res.id_param!r} is required")
            if x.method == "PUT":
                docs.put_document(
                    session,
                    scope,
                    doc_id,
                    x.body,
                    x.content_type,
                    if_match=if_match,
                    if_none_match=if_none_match,
                    without_precondition=res.without_precondition_2
                    if is_v2(x)
                    else res.without_precondition,
                )
            else:
                docs.post_document(
                    session,
                    scope,
                    doc_id,
                    x.body,
                    x.content_type,
                    if_match=if_match,
                    if_none_match=if_none_match,
                )
        session.commit()
    except docs.PreconditionFailed as exc:
        session.rollback()
        raise LrsError(412, str(exc)) from exc
    except docs.Conflict as exc:
        session.rollback()
        raise LrsError(409, str(exc)) from exc
    except (docs.NotJson, docs.PreconditionRequired) as exc:
        session.rollback()
        raise LrsError(400, str(exc)) from exc
    return _no_content()


# -- activities, agents, about -----------------------------------------------------------------
def activities_get(x: XRequest, principal: Principal) -> Response:
    """Communication 2.5: the Activity with every definition the client's readable statements
    gave it, merged oldest to newest (language maps language by language, XAPI-00254)."""
    _need(
        principal,
        principal.can("statements/read/mine"),
        "reading activity definitions, which come from statements (statements/read)",
    )
    _check_params(x, ("activityId",))
    activity_id = _iri_param(x, "activityId")
    assert activity_id is not None
    query = q.StatementQuery(
        filters=[K.filter_key(K.DEFINITION, activity_id)], limit=q.MAX_DEFINITIONS
    )
    rows, _ = q.run(get_session(), query, principal)
    if not rows:
        # Statements stored before DEFINITION keys existed have none: look at the latest
        # statements about the activity instead.
        query = q.StatementQuery(
            filters=[K.filter_key(K.RELATED_ACTIVITY, activity_id)], limit=q.MAX_PAGE
        )
        rows, _ = q.run(get_session(), query, principal)
    definition: dict[str, Any] = {}
    seen: set[str] = set()
    for row in reversed(rows):  # oldest first: newer definitions win, property by property
        for activity in K.activities_of(json.loads(row.body)):
            text = json.dumps(activity.get("definition"), sort_keys=True)
            if activity.get("id") == activity_id and text not in seen:
                seen.add(text)
                merge_definition(definition, activity.get("definition") or {})
    result: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        result["definition"] = definition
    return _json(result)


def merge_definition(into: dict[str, Any], newer: dict[str, Any]) -> None:
    """Newer properties replace older ones, except that language maps and extensions are
    merged key by key (a definition in one language does not erase another language)."""
    for key, value in newer.items():
        old = into.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            into[key] = {**old, **value}
        else:
            into[key] = value


def agents_get(x: XRequest, principal: Principal) -> Response:
    _check_params(x, ("agent",))
    agent = _agent_param(x)
    assert agent is not None
    person: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    return _json(person)


def about(x: XRequest) -> Response:
    """Communication 2.8: both versions, except to a client that says it speaks 1.0.x: 1.0.x
    clients (the `tincan` library among them) refuse an about document naming 2.0.0."""
    asked = x.headers.get("X-Experience-API-Version", "").strip()
    versions = SUPPORTED_VERSIONS
    if VERSION_HEADER_RE.match(asked):
        versions = [v for v in SUPPORTED_VERSIONS if v.startswith("1.0")]
    return _json({"version": versions, "extensions": {}})


# -- the blueprint -------------------------------------------------------------------------------
Handler = Callable[[XRequest, Principal], Response]
ROUTES: dict[str, dict[str, Handler]] = {
    "statements": {"GET": statements_get, "PUT": statements_put_post, "POST": statements_put_post},
    "state": {m: lambda x, p: documents(x, p, STATE) for m in ("GET", "PUT", "POST", "DELETE")},
    "activity_profile": {
        m: lambda x, p: documents(x, p, ACTIVITY_PROFILE) for m in ("GET", "PUT", "POST", "DELETE")
    },
    "agent_profile": {
        m: lambda x, p: documents(x, p, AGENT_PROFILE) for m in ("GET", "PUT", "POST", "DELETE")
    },
    "activities": {"GET": activities_get},
    "agents": {"GET": agents_get},
}
PATHS = {
    "statements": "/statements",
    "state": "/activities/state",
    "activity_profile": "/activities/profile",
    "agent_profile": "/agents/profile",
    "activities": "/activities",
    "agents": "/agents",
    "about": "/about",
}


def _not_allowed(resource: str, method: str) -> LrsError:
    allowed = ", ".join(
        sorted(set(ROUTES[resource]) | ({"HEAD"} if "GET" in ROUTES[resource] else set()))
    )
    return LrsError(405, f"{PATHS[resource]} does not answer {method}", {"Allow": allowed})


def _dispatch(resource: str) -> Response:
    XAPI_2.set(False)  # until the version header says otherwise (threads serve many requests)
    if request.method == "OPTIONS":
        return Response(status=204)
    if resource != "about" and "method" not in request.args:
        known = set(ROUTES[resource]) | ({"HEAD"} if "GET" in ROUTES[resource] else set())
        if request.method not in known:
            # Communication 3.2: a method the resource does not have is 405, before credentials
            # are asked for (saying so reveals nothing about the resource).
            raise _not_allowed(resource, request.method)
    x = build_xrequest(resource)
    if resource == "about":
        if x.method not in ("GET", "HEAD"):
            raise LrsError(
                405, "the about resource answers GET and HEAD only", {"Allow": "GET, HEAD, OPTIONS"}
            )
        _check_params(x, ())
        if VERSION_2_HEADER_RE.match(x.headers.get("X-Experience-API-Version", "").strip()):
            g.xapi_version = XAPI_2_VERSION
        return about(x)
    _check_version(x)
    if x.alternate and is_v2(x):
        raise LrsError(
            400, "xAPI 2.0 has no alternate request syntax (?method=): send the request itself"
        )
    principal = _principal(x)
    method = "GET" if x.method == "HEAD" else x.method
    handler = ROUTES[resource].get(method)
    if handler is None:
        raise _not_allowed(resource, x.method)
    response = handler(x, principal)
    if x.method == "HEAD":
        response.set_data(b"")  # Communication 1.1: HEAD as GET, without the body
    return response


def max_bytes() -> int:
    """ELEARN_LRS_MAX_BYTES, default 10 MiB."""
    return int(current_app.config.get("ELEARN_LRS_MAX_BYTES") or 10 * 1024 * 1024)


def max_batch() -> int:
    """ELEARN_LRS_MAX_BATCH, default 1,000 statements: a batch is validated and stored in one
    transaction, so its size bounds one request's work."""
    return int(current_app.config.get("ELEARN_LRS_MAX_BATCH") or 1000)


bp = Blueprint("elearn_xapi", __name__)


@bp.before_request
def larger_limit() -> None:
    # The platform's forms need 64 KiB; statement batches and attachments need more.
    limit = max_bytes()
    request.max_content_length = limit
    request.max_form_memory_size = limit


@bp.after_request
def lrs_headers(response: Response) -> Response:
    headers = response.headers
    headers["X-Experience-API-Version"] = g.get("xapi_version") or default_version()
    headers["Date"] = _http_date(utcnow())
    headers["Access-Control-Allow-Origin"] = "*"  # Basic auth is the credential, never cookies
    headers["Access-Control-Expose-Headers"] = EXPOSED
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    if request.endpoint == "elearn_xapi.statements":  # every answer, errors included
        headers.setdefault("X-Experience-API-Consistent-Through", _iso(utcnow()))
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = ", ".join(METHODS)
        headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.errorhandler(LrsError)
def lrs_error(exc: LrsError) -> Response:
    get_session().rollback()
    return error_response(exc.status, exc.message, exc.headers)


@bp.errorhandler(Invalid)
def invalid(exc: Invalid) -> Response:
    get_session().rollback()
    return error_response(400, str(exc))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge) -> Response:
    return error_response(
        413,
        f"the request is larger than this LRS accepts ({max_bytes()} bytes; ELEARN_LRS_MAX_BYTES)",
    )


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    return error_response(exc.code or 400, exc.description or exc.name)


@limiter.limit(ratelimit.lrs_auth_limit, deduct_when=ratelimit.failed)
def xapi_resource(resource: str) -> Response:
    """Every resource of the LRS; failed authentications are rate-limited per address."""
    return _dispatch(resource)


for _resource, _path in PATHS.items():
    bp.add_url_rule(
        _path,
        endpoint=_resource,
        view_func=xapi_resource,
        defaults={"resource": _resource},
        methods=METHODS,
        provide_automatic_options=False,
        strict_slashes=False,
    )
