"""Queries on projects and their members. Rows travel as dicts with `owners` and `members`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from .engine import Database
from .instance_tables import ProjectMemberRow, ProjectRow
from .tables import utcnow

PROJECT_COLUMNS = list(ProjectRow.__table__.columns)


class ProjectStore:
    def __init__(self, db: Database):
        self.db = db

    def _with_people(self, conn, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return []
        names = [r["name"] for r in rows]
        people = conn.execute(
            select(ProjectMemberRow.project, ProjectMemberRow.username, ProjectMemberRow.role)
            .where(ProjectMemberRow.project.in_(names))
            .order_by(ProjectMemberRow.username)).all()
        out = []
        for row in rows:
            row = dict(row)
            row["owners"] = [u for p, u, r in people if p == row["name"] and r == "owner"]
            row["members"] = [u for p, u, r in people if p == row["name"] and r == "member"]
            out.append(row)
        return out

    def insert(self, values: dict[str, Any], owners: list[str],
               members: list[str]) -> dict[str, Any]:
        now = utcnow()
        try:
            with self.db.engine.begin() as conn:
                conn.execute(insert(ProjectRow), {"created_at": now, "updated_at": now,
                                                  **values})
                self._set_people(conn, values["name"], owners, members)
        except IntegrityError:
            raise Conflict(f"a project named {values['name']!r} exists",
                           reason="project_exists", field="name") from None
        return self.get(values["name"])

    @staticmethod
    def _set_people(conn, project: str, owners: list[str] | None,
                    members: list[str] | None) -> None:
        """Replace the owners and/or the members; someone in both lists is an owner."""
        for role, people in (("owner", owners), ("member", members)):
            if people is None:
                continue
            conn.execute(delete(ProjectMemberRow).where(ProjectMemberRow.project == project,
                                                        ProjectMemberRow.role == role))
            taken = set(conn.execute(select(ProjectMemberRow.username).where(
                ProjectMemberRow.project == project)).scalars())
            if role == "owner":  # an owner is not also a member
                conn.execute(delete(ProjectMemberRow).where(
                    ProjectMemberRow.project == project, ProjectMemberRow.username.in_(people)))
                taken -= set(people)
            rows = [{"project": project, "username": u, "role": role}
                    for u in dict.fromkeys(people) if u not in taken]
            if rows:
                conn.execute(insert(ProjectMemberRow), rows)

    def get(self, name: str) -> dict[str, Any] | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(select(*PROJECT_COLUMNS).where(ProjectRow.name == name)
                               ).mappings().first()
            return self._with_people(conn, [row])[0] if row else None

    def list(self, names: list[str] | None = None) -> list[dict[str, Any]]:
        """Every project, or those named."""
        query = select(*PROJECT_COLUMNS).order_by(ProjectRow.name)
        if names is not None:
            query = query.where(ProjectRow.name.in_(names))
        with self.db.engine.connect() as conn:
            return self._with_people(conn, [dict(r) for r in conn.execute(query).mappings()])

    def roles_of(self, username: str) -> dict[str, str]:
        """project -> the user's role (owner or member)."""
        with self.db.engine.connect() as conn:
            return {p: r for p, r in conn.execute(
                select(ProjectMemberRow.project, ProjectMemberRow.role)
                .where(ProjectMemberRow.username == username))}

    def update(self, name: str, values: dict[str, Any], owners: list[str] | None = None,
               members: list[str] | None = None) -> bool:
        with self.db.engine.begin() as conn:
            changed = conn.execute(update(ProjectRow).where(ProjectRow.name == name)
                                   .values(updated_at=utcnow(), **values)).rowcount == 1
            if changed:
                self._set_people(conn, name, owners, members)
        return changed

    def delete(self, name: str) -> bool:
        with self.db.engine.begin() as conn:
            conn.execute(delete(ProjectMemberRow).where(ProjectMemberRow.project == name))
            return conn.execute(delete(ProjectRow).where(ProjectRow.name == name)
                                ).rowcount == 1
