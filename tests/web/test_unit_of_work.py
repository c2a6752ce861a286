"""The request's transaction is committed before its response is sent.

A browser follows a 303 at once; if the commit ran after the response (FastAPI's default for
dependencies with ``yield``), the next request could miss what this one wrote."""

from __future__ import annotations

from fastapi import Depends
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Receive, Scope, Send

from assay.db.models import User
from assay.services import accounts
from assay.services.runtime import Runtime
from assay.web.app import create_app
from assay.web.deps import DbSession, get_runtime

from .conftest import PASSWORD


def _users_seen_elsewhere(factory: sessionmaker[Session]) -> int:
    with factory() as other:
        return int(other.scalar(select(func.count()).select_from(User)) or 0)


class _ProbeResponse(JSONResponse):
    """Counts, from a separate connection, the users committed when the response starts to go out."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        super().__init__({})
        self._factory = factory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.headers["x-users-committed"] = str(_users_seen_elsewhere(self._factory))
        await super().__call__(scope, receive, send)


def test_commit_precedes_the_response(rt: Runtime) -> None:
    app = create_app(rt.settings, runtime=rt)

    def write_then_respond(db: DbSession, runtime: Runtime = Depends(get_runtime)) -> _ProbeResponse:
        accounts.sign_up(db, runtime, email="probe@example.org", display_name="Probe", password=PASSWORD)
        return _ProbeResponse(app.state.session_factory)

    app.add_api_route("/_probe", write_then_respond, methods=["GET"])
    with TestClient(app) as client:
        response = client.get("/_probe")
    assert response.status_code == 200
    assert response.headers["x-users-committed"] == "1"
