"""The one place xAPI statements are built (with the `tincan` library), for xAPI 1.0.3.

Activity IRIs are stable: they derive from ELEARN_XAPI_BASE_IRI and the course's own ids only.
    course    {base}/courses/{course}
    scenario  {base}/courses/{course}/scenarios/{scenario}
    node      {base}/courses/{course}/scenarios/{scenario}/nodes/{node}
Learners appear as pseudonymous accounts ({homePage, name=user.xapi_id}), never by name or email.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    Extensions,
    LanguageMap,
    Result,
    Score,
    Statement,
    Verb,
)

XAPI_VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi"
VERBS = {
    name: f"{ADL}/verbs/{name}"
    for name in (
        "launched",
        "initialized",
        "experienced",
        "answered",
        "progressed",
        "completed",
        "passed",
        "failed",
        "terminated",
        "suspended",
        "resumed",
        "attended",
    )
}
COURSE_TYPE = f"{ADL}/activities/course"
MODULE_TYPE = f"{ADL}/activities/module"
INTERACTION_TYPE = f"{ADL}/activities/cmi.interaction"
ENDING_TYPE = f"{ADL}/activities/interaction"
# A live session a leader ran with a group (ADL's "meeting": people gathered for a purpose).
FACILITATED_SESSION_TYPE = f"{ADL}/activities/meeting"
PROGRESS_EXT = "https://w3id.org/xapi/cmi5/result/extensions/progress"
# BCP 47 tags for xAPI language maps: Norwegian Bokmål, Nynorsk, English.
LANG_TAGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en"}


def iso_duration(seconds: float) -> str:
    return f"PT{max(0.0, seconds):.2f}S"


def _lang_map(text: dict[str, str], limit: int | None = None) -> LanguageMap:
    def cut(s: str) -> str:
        s = " ".join(s.split())
        return s if limit is None or len(s) <= limit else s[: limit - 1] + "…"

    return LanguageMap({LANG_TAGS.get(k, k): cut(v) for k, v in text.items()})


class StatementBuilder:
    def __init__(self, base_iri: str, homepage: str):
        self.base = base_iri.rstrip("/")
        self.homepage = homepage

    # -- IRIs -----------------------------------------------------------------------------
    def course_iri(self, course_id: str) -> str:
        return f"{self.base}/courses/{course_id}"

    def scenario_iri(self, course_id: str, scenario_id: str) -> str:
        return f"{self.course_iri(course_id)}/scenarios/{scenario_id}"

    def node_iri(self, course_id: str, scenario_id: str, node_id: str) -> str:
        return f"{self.scenario_iri(course_id, scenario_id)}/nodes/{node_id}"

    @property
    def version_ext(self) -> str:
        return f"{self.base}/extensions/course-version"

    # -- activities -------------------------------------------------------------------------
    def actor(self, xapi_id: str) -> Agent:
        return Agent(account=AgentAccount(home_page=self.homepage, name=xapi_id))

    def authority(self) -> dict[str, Any]:
        return {"objectType": "Agent", "account": {"homePage": self.homepage, "name": "elearn"}}

    def course_activity(self, course: dict[str, Any]) -> Activity:
        return Activity(
            id=self.course_iri(course["id"]),
            definition=ActivityDefinition(
                type=COURSE_TYPE,
                name=_lang_map(course["title"]),
                description=_lang_map(course["description"], 250),
            ),
        )

    def scenario_activity(self, course: dict[str, Any], scenario: dict[str, Any]) -> Activity:
        return Activity(
            id=self.scenario_iri(course["id"], scenario["id"]),
            definition=ActivityDefinition(type=MODULE_TYPE, name=_lang_map(scenario["title"])),
        )

    def node_activity(
        self, course: dict[str, Any], scenario: dict[str, Any], node: dict[str, Any]
    ) -> Activity:
        iri = self.node_iri(course["id"], scenario["id"], node["id"])
        if node.get("ending"):
            definition = ActivityDefinition(
                type=ENDING_TYPE, name=_lang_map(node["ending"]["title"], 120)
            )
        else:
            definition = ActivityDefinition(
                type=INTERACTION_TYPE,
                name=_lang_map(node["text"], 120),
                interaction_type="choice",
                choices=[
                    {"id": c["id"], "description": dict(_lang_map(c["text"], 250))}
                    for c in node["choices"]
                ],
            )
        return Activity(id=iri, definition=definition)

    def facilitated_session_activity(
        self, course: dict[str, Any], session_id: str, scenario: dict[str, Any] | None
    ) -> Activity:
        """A live session run with a group ({base}/courses/{course}/live/{session uuid})."""
        title = scenario["title"] if scenario is not None else course["title"]
        return Activity(
            id=f"{self.course_iri(course['id'])}/live/{session_id}",
            definition=ActivityDefinition(
                type=FACILITATED_SESSION_TYPE, name=_lang_map(title, 120)
            ),
        )

    # -- statements -------------------------------------------------------------------------
    def build(
        self,
        verb: str,
        *,
        xapi_id: str,
        registration: str,
        obj: Activity,
        course: dict[str, Any],
        content_hash: str,
        language: str,
        parent: Activity | None = None,
        grouping: Activity | None = None,
        result: Result | None = None,
        timestamp: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """A complete statement as a JSON-ready dict, with a fresh UUID and a UTC timestamp."""
        activities = ContextActivities()
        if parent is not None:
            activities.parent = [parent]
        if grouping is not None:
            activities.grouping = [grouping]
        stamp = (timestamp or dt.datetime.now(dt.UTC)).replace(tzinfo=dt.UTC)
        statement = Statement(
            id=uuid.uuid4(),
            actor=self.actor(xapi_id),
            verb=Verb(id=VERBS[verb], display=LanguageMap({"en-US": verb})),
            object=obj,
            result=result,
            context=Context(
                registration=uuid.UUID(registration),
                context_activities=activities,
                language=LANG_TAGS.get(language, language),
                platform="elearn",
                extensions=Extensions({self.version_ext: content_hash}),
            ),
            timestamp=stamp,
        )
        body = json.loads(statement.to_json(XAPI_VERSION))
        body["timestamp"] = stamp.isoformat().replace("+00:00", "Z")
        return body


def choice_result(choice: dict[str, Any]) -> Result:
    result = Result(response=choice["id"])
    if choice.get("correct") is not None:
        result.success = bool(choice["correct"])
    if choice.get("points"):
        result.score = Score(raw=choice["points"])
    return result


def score_result(
    points: int,
    min_score: int,
    max_score: int,
    scaled: float,
    *,
    completion: bool | None = None,
    success: bool | None = None,
    seconds: float | None = None,
) -> Result:
    """A result with a score; `min`/`max` only when they span a range (xAPI wants min < max)."""
    score = Score(raw=points, scaled=scaled)
    if min_score < max_score:
        score.min = min_score
        score.max = max_score
    result = Result(score=score)
    if completion is not None:
        result.completion = completion
    if success is not None:
        result.success = success
    if seconds is not None:
        result.duration = iso_duration(seconds)
    return result


def progress_result(percent: int) -> Result:
    return Result(extensions=Extensions({PROGRESS_EXT: max(0, min(100, percent))}))


def actor_key(actor: dict[str, Any]) -> str:
    """The inverse functional identifier as one indexable string."""
    if "mbox" in actor:
        return f"mbox:{actor['mbox']}"
    if "mbox_sha1sum" in actor:
        return f"sha1:{actor['mbox_sha1sum']}"
    if "openid" in actor:
        return f"openid:{actor['openid']}"
    account = actor.get("account", {})
    return f"account:{account.get('homePage', '')}|{account.get('name', '')}"
