"""API tokens: get one with a username and password, list and revoke your own.

`POST /api/tokens` is the way in for programs: it is rate limited per username
and per client address like the login page, and audited. The token is shown
once; send it as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, status

from owm.api.schemas.common import RecordId
from owm.api.schemas.users import IssuedTokenOut, TokenOut, TokenRequest
from owm.http.deps import ClientAddress, CurrentUser, RuntimeDep, UowDep
from owm.http.signin import issue_api_token, sign_in
from owm.service import users

__all__ = ["router"]

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IssuedTokenOut,
    responses={
        401: {"description": "Wrong username or password"},
        429: {"description": "Too many failed logins"},
    },
)
def create_token(body: TokenRequest, runtime: RuntimeDep, address: ClientAddress) -> IssuedTokenOut:
    """Sign in with username and password; returns a new bearer token (shown once)."""
    actor = sign_in(runtime, username=body.username, password=body.password, address=address)
    issued = issue_api_token(
        runtime, actor, name=body.name, expires_in=timedelta(days=body.expires_in_days)
    )
    return IssuedTokenOut.model_validate(issued)


@router.get("", response_model=list[TokenOut])
def my_tokens(uow: UowDep, actor: CurrentUser) -> list[TokenOut]:
    """Your tokens, newest first (page sessions included); secrets are never shown."""
    assert actor.user_id is not None
    return [
        TokenOut.model_validate(t) for t in users.list_tokens(uow, actor, user_id=actor.user_id)
    ]


@router.delete("/{token_id}", response_model=TokenOut)
def revoke(token_id: RecordId, uow: UowDep, actor: CurrentUser) -> TokenOut:
    """Revoke a token (your own, or anyone's as admin). It stops working at once."""
    return TokenOut.model_validate(users.revoke_token(uow, actor, token_id=token_id))
