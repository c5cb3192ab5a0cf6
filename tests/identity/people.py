"""Building people through the public API, as a client app would (DESIGN.md: fixtures use services)."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date

import httpx

from identity.city_roles import set_granted_role
from tests.support import gql

REGISTER = """
mutation Register($input: PersonRegisterInput!) {
  personRegister(input: $input) {
    person { id displayName roles verificationLevel dateOfBirth phone email ward { code name } }
    tokens { accessToken refreshToken sessionId accessTokenExpiresAt tokenType }
    errors { code field message }
  }
}
"""

PASSWORD = "Hồ Gươm mùa thu lá vàng 2026"
_serial = itertools.count(100000)


def cccd(date_of_birth: date, sex: str = "male", province: str = "001") -> str:
    """A citizen ID consistent with the birth date and sex (digit 4: century and sex; 5-6: year)."""
    century = (date_of_birth.year - 1900) // 100
    digit = century * 2 + (1 if sex == "female" else 0)
    return f"{province}{digit}{date_of_birth.year % 100:02d}{next(_serial) % 1_000_000:06d}"


def unique_phone() -> str:
    return f"091{random.randint(1_000_000, 9_999_999)}"  # VinaPhone 091x: always a valid number


@dataclass
class Someone:
    """A registered person and their session, seen through the API."""

    id: str
    name: str
    access_token: str
    refresh_token: str
    session_id: str
    document: str
    phone: str | None = None
    email: str | None = None
    password: str = PASSWORD
    extra: dict = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.access_token}"}


def registration_input(**overrides) -> dict:
    birth = overrides.pop("birth", date(1990, 5, 17))
    sex = overrides.pop("sex", "MALE")
    data = {
        "fullName": "Nguyễn Văn An",
        "dateOfBirth": birth.isoformat(),
        "sex": sex,
        "roles": ["RESIDENT"],
        "document": {"kind": "CCCD", "number": cccd(birth, sex.lower())},
        "password": PASSWORD,
        "phone": unique_phone(),
        "email": f"an.{next(_serial)}@example.vn",
        "wardCode": "00070",
    }
    data.update(overrides)
    return data


async def register(client: httpx.AsyncClient, **overrides) -> Someone:
    data = registration_input(**overrides)
    body = await gql(client, REGISTER, {"input": data})
    result = body["data"]["personRegister"]
    assert result["errors"] == [], result["errors"]
    tokens = result["tokens"]
    return Someone(
        id=result["person"]["id"],
        name=data["fullName"],
        access_token=tokens["accessToken"],
        refresh_token=tokens["refreshToken"],
        session_id=tokens["sessionId"],
        document=data["document"]["number"],
        phone=data.get("phone"),
        email=data.get("email"),
        password=data["password"],
    )


def uuid_of(global_id: str) -> str:
    import base64

    return base64.b64decode(global_id).decode().split(":", 1)[1]


async def make_officer(app, client: httpx.AsyncClient, **overrides) -> Someone:
    """A person with the officer role, granted the way the CLI grants roles (the service it calls)."""
    person = await register(
        client, fullName=overrides.pop("fullName", "Trần Thị Cán Bộ"), sex="FEMALE", birth=date(1985, 3, 2), **overrides
    )
    await set_granted_role(app.state.runtime, uuid_of(person.id), "officer", grant=True)
    return person


APPROVE = """
mutation Approve($id: ID!) {
  verificationRequestApprove(input: {verificationRequestId: $id}) {
    verificationRequest { status } errors { code field message }
  }
}
"""
REQUEST = """
mutation Request($note: String) {
  verificationRequestCreate(input: {note: $note}) { verificationRequest { id status note } errors { code field message } }
}
"""


async def make_verified(app, client: httpx.AsyncClient, officer: Someone | None = None, **overrides) -> Someone:
    """A person at level 2: registered, asked for verification, approved by an officer."""
    person = await register(client, **overrides)
    officer = officer or await make_officer(app, client)
    created = await gql(client, REQUEST, headers=person.auth)
    request_id = created["data"]["verificationRequestCreate"]["verificationRequest"]["id"]
    approved = await gql(client, APPROVE, {"id": request_id}, headers=officer.auth)
    assert approved["data"]["verificationRequestApprove"]["errors"] == []
    person.extra["officer"] = officer
    return person
