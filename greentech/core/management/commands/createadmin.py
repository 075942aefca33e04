"""greentech createadmin: a platform administrator account."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from greentech.accounts.services import create_admin
from greentech.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = "Create or reset a platform administrator. / 创建平台管理员。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            default=os.environ.get("GREENTECH_ADMIN_PASSWORD"),
            help="Default: $GREENTECH_ADMIN_PASSWORD, else asked for.",
        )

    def handle(self, *args, **options):
        from django.contrib.auth.password_validation import validate_password

        password = options["password"]
        if not password:
            if not self.stdin_is_interactive():
                raise CommandError("Give --password or set GREENTECH_ADMIN_PASSWORD. / 请提供密码。")
            password = getpass.getpass("Password / 密码: ")
            if password != getpass.getpass("Again / 再次输入: "):
                raise CommandError("The passwords differ. / 两次输入的密码不一致。")
        from django.contrib.auth import get_user_model

        candidate = get_user_model()(username=options["username"], email=options["email"])
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user = create_admin(options["username"], options["email"], password)
        self.stdout.write(f"administrator ready / 管理员已就绪: {user.username}")

    @staticmethod
    def stdin_is_interactive() -> bool:
        import sys

        return sys.stdin.isatty()
