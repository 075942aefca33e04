"""The demonstration accounts, one per role (data/demo/accounts.yaml), for `greentech init --demo` (core.demo)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from greentech.core.demo import DEMO_PASSWORD, organization_names, read
from greentech.core.permissions import SYSTEM, Role


def load_accounts() -> list[str]:
    """Create the administrator and the accounts (password DEMO_PASSWORD) and give each its role; returns the
    usernames."""
    from greentech.accounts.services import assign_role, create_admin
    from greentech.registry.models import Department, Organization

    data = read("accounts.yaml")
    user_model = get_user_model()
    names = organization_names()
    organization = {key: Organization.objects.get(name=name) for key, name in names.items()}
    administrator = data["administrator"]
    create_admin(administrator["username"], administrator["email"], DEMO_PASSWORD)
    usernames = [administrator["username"]]
    for row in data["accounts"]:
        username = row["username"]
        org = organization[row["organization"]] if row.get("organization") else None
        department = Department.objects.get(code=row["department"]) if row.get("department") else None
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        assign_role(SYSTEM, user, Role(row["role"]), organization=org, department=department)
        usernames.append(username)
    return usernames


def welcome(usernames: list[str]) -> None:
    """Tell every demo account, once, that it is one."""
    from greentech.inbox.models import Notification
    from greentech.inbox.services import notify

    message = read("accounts.yaml")["welcome"]
    users = get_user_model().objects.filter(username__in=usernames)
    fresh = [user for user in users if not Notification.objects.filter(recipient=user, kind=message["kind"]).exists()]
    notify(fresh, message["kind"], message["title"], message["body"], link=message["link"])
