"""``passerelle users``: accounts and API tokens from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.models import ROLES, User
from app.services import accounts


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(action):
    try:
        return action()
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("users")
def users_group() -> None:
    """Create and manage translator and editor accounts."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="translator or editor")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@with_appcontext
def create_command(name: str, role: str, password_stdin: bool) -> None:
    """Create the account NAME with a role."""
    password = _read_password(password_stdin)
    _run(lambda: accounts.create_user(name, role, password))
    click.echo(f"created {role} {name}")


@users_group.command("list")
@with_appcontext
def list_command() -> None:
    """List accounts with their role and whether they are active."""
    from app.extensions import db

    for user in db.session.scalars(db.select(User).order_by(User.username)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username}\t{user.role}\t{state}\t{user.created_at:%Y-%m-%d}")


@users_group.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@with_appcontext
def set_password_command(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (every session of NAME ends)."""
    _run(lambda: accounts.require_user(name))
    password = _read_password(password_stdin)
    _run(lambda: accounts.set_password(name, password))
    click.echo(f"password of {name} changed")


@users_group.command("disable")
@click.argument("name")
@with_appcontext
def disable_command(name: str) -> None:
    """Disable NAME: no more logins nor API calls; every session ends."""
    _run(lambda: accounts.disable_user(name))
    click.echo(f"disabled {name}")


@users_group.command("logout-everywhere")
@click.argument("name")
@with_appcontext
def logout_everywhere_command(name: str) -> None:
    """End every session of NAME on every browser (API tokens are revoked with revoke-tokens)."""
    count = _run(lambda: accounts.end_sessions(name))
    click.echo(f"ended {count} session(s) of {name}")


@users_group.command("token")
@click.argument("name")
@with_appcontext
def token_command(name: str) -> None:
    """Create an API token for NAME and print it (alone on the last line; shown only once)."""
    token = _run(lambda: accounts.create_token(name))
    click.echo(f"API token for {name} (store it now, it is not shown again):")
    click.echo(token)


@users_group.command("revoke-tokens")
@click.argument("name")
@with_appcontext
def revoke_tokens_command(name: str) -> None:
    """Revoke every API token of NAME."""
    count = _run(lambda: accounts.revoke_tokens(name))
    click.echo(f"revoked {count} token(s) of {name}")


commands = [users_group]
