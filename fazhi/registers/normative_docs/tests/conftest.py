from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from conftest import PASSWORD
from fazhi.core.models import Role
from fazhi.core.services import membership_grant


@pytest.fixture
def staff(org: Any) -> dict[str, Any]:
    """The drafting department's reviewer and head (its clerk is ``org.erin``)."""
    users = {}
    for role in (Role.REVIEWER, Role.HEAD):
        user = get_user_model().objects.create_user(f"dept_{role}", password=PASSWORD)
        membership_grant(user=user, unit=org.dept, role=role)
        users[str(role)] = get_user_model().objects.get(pk=user.pk)
    return users
