"""Users: who you are, and (admins only) creating, listing and deactivating users."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, status

from owm.api.schemas.common import RecordId
from owm.api.schemas.users import IssuedTokenOut, PasswordIn, TokenIn, TokenOut, UserIn, UserOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import users
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("/me", response_model=UserOut)
def me(uow: UowDep, actor: CurrentUser) -> UserOut:
    """The signed-in user."""
    assert actor.user_id is not None
    return UserOut.model_validate(users.get_user(uow, actor, user_id=actor.user_id))


@router.get("", response_model=list[UserOut], dependencies=[requires(Permission.MANAGE_USERS)])
def list_users(uow: UowDep, actor: CurrentUser) -> list[UserOut]:
    """Every user (admins)."""
    return [UserOut.model_validate(u) for u in users.list_users(uow, actor)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    dependencies=[requires(Permission.MANAGE_USERS)],
)
def create_user(body: UserIn, uow: UowDep, actor: CurrentUser) -> UserOut:
    """Create a user (admins). 409 when the username is taken."""
    return UserOut.model_validate(
        users.create_user(
            uow,
            actor,
            username=body.username,
            full_name=body.full_name,
            role=body.role,
            password=body.password,
        )
    )


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: RecordId, uow: UowDep, actor: CurrentUser) -> UserOut:
    """One user (yourself, or anyone as admin)."""
    return UserOut.model_validate(users.get_user(uow, actor, user_id=user_id))


@router.put("/{user_id}/password", response_model=UserOut)
def set_password(user_id: RecordId, body: PasswordIn, uow: UowDep, actor: CurrentUser) -> UserOut:
    """Set a password: your own (with the current one), or anyone's as admin."""
    return UserOut.model_validate(
        users.set_password(
            uow,
            actor,
            user_id=user_id,
            new_password=body.new_password,
            current_password=body.current_password,
        )
    )


@router.post(
    "/{user_id}/deactivate",
    response_model=UserOut,
    dependencies=[requires(Permission.MANAGE_USERS)],
)
def deactivate(user_id: RecordId, uow: UowDep, actor: CurrentUser) -> UserOut:
    """Deactivate a user (admins): they cannot sign in and their tokens stop working."""
    return UserOut.model_validate(users.deactivate_user(uow, actor, user_id=user_id))


@router.get("/{user_id}/tokens", response_model=list[TokenOut])
def list_tokens(user_id: RecordId, uow: UowDep, actor: CurrentUser) -> list[TokenOut]:
    """A user's tokens (yourself, or anyone as admin)."""
    return [TokenOut.model_validate(t) for t in users.list_tokens(uow, actor, user_id=user_id)]


@router.post(
    "/{user_id}/tokens", status_code=status.HTTP_201_CREATED, response_model=IssuedTokenOut
)
def issue_token(
    user_id: RecordId, body: TokenIn, uow: UowDep, actor: CurrentUser
) -> IssuedTokenOut:
    """Issue a token for a user (yourself, or anyone as admin), shown once."""
    issued = users.issue_token(
        uow, actor, user_id=user_id, name=body.name, expires_in=timedelta(days=body.expires_in_days)
    )
    return IssuedTokenOut.model_validate(issued)
