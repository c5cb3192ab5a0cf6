"""Registering an organisation: by a person verified at level 2, who becomes its first owner."""

from __future__ import annotations

import uuid

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, Problems, UserInputError
from core.runtime import Runtime
from core.text import checked_text, fold, nfc
from graph import identity as queries
from graph.identity import NewDocument
from identity.documents import check_tax_code
from identity.model import ORGANIZATION_KINDS, OrganizationView
from identity.names import check_name
from identity.profile import MAX_SECTOR_LENGTH
from identity.views import organizations_by_ids


def _check_kind(kind: str) -> None:
    if kind not in ORGANIZATION_KINDS:
        raise UserInputError("An organisation is a business, a partner or an agency.", field="kind")


async def register_organization(
    rt: Runtime, viewer: Viewer, *, name: str, kind: str, tax_code: str, sector: str | None
) -> OrganizationView:
    founder = authorize(viewer, "identity.organization.register")
    problems = Problems()  # every mistake of the input at once
    checked_name = problems.take(lambda: check_name(name, "name"))
    problems.take(lambda: _check_kind(kind))
    checked_document = problems.take(lambda: check_tax_code(tax_code))
    checked_sector = problems.take(
        lambda: checked_text(nfc(sector or ""), field="sector", max_length=MAX_SECTOR_LENGTH)
    )
    problems.raise_if_any()
    assert checked_name is not None and checked_document is not None
    display_name, document = checked_name, checked_document
    org_id = str(uuid.uuid4())
    props = {"displayName": display_name, "searchName": fold(display_name), "orgKind": kind, "sector": checked_sector}
    document_props = NewDocument(
        id=str(uuid.uuid4()),
        kind=document.kind.value,
        digest=document.digest(rt.identity_key),
        last4=document.last4,
        country=document.country,
    )
    try:
        await rt.graph.write(
            queries.create_organization,
            id=org_id,
            founder_id=founder,
            props=props,
            document=document_props,
            change_id=str(uuid.uuid4()),
        )
    except ConflictError as exc:
        raise ConflictError("An organisation with this tax code is registered already.", field="taxCode") from exc
    (view,) = await organizations_by_ids(rt, viewer, [org_id])
    if view is None:  # only if it were closed between the write and this read
        raise ConflictError("The organisation was closed before it could be shown.")
    return view
