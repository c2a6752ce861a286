"""What every command needs: settings, a database, a runtime; and errors shown as messages, not tracebacks."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assay.core.errors import AssayError
from assay.db.session import build_engine, session_factory, unit_of_work
from assay.services.runtime import Runtime, build_runtime
from assay.settings import Settings

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        for error in exc.errors():
            name = "ASSAY_" + "_".join(str(p) for p in error["loc"]).upper()
            err_console.print(f"[red]Configuration error[/red] in {name}: {error['msg']}")
        raise typer.Exit(2) from None


@dataclass
class Env:
    """Lazily built per command: a command that needs no database opens none."""

    settings: Settings
    _engine: Engine | None = field(default=None, init=False)
    _runtime: Runtime | None = field(default=None, init=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = build_engine(self.settings.resolved_database_url)
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = build_runtime(self.settings)
        return self._runtime

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with unit_of_work(self.sessions) as db:
            yield db


def env_of(ctx: typer.Context) -> Env:
    env = ctx.find_root().obj
    if not isinstance(env, Env):
        env = Env(load_settings())
        ctx.find_root().obj = env
    return env


def friendly_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Domain errors become a red line and exit code 1; database trouble says what to check."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except AssayError as exc:
            err_console.print(f"[red]Error:[/red] {exc.message}")
            raise typer.Exit(1) from None
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown"
            err_console.print(
                f"[red]Database error:[/red] {reason}\n"
                "Check ASSAY_DATABASE_URL, and run `assay db upgrade` if the schema is missing."
            )
            raise typer.Exit(1) from None

    return wrapper
