"""`flask setup` (the reference data every installation starts with) and `flask versions` (what this process
runs with, for bug reports)."""
from __future__ import annotations


import click

from portal.extensions import db


@click.command("setup")
def setup_command() -> None:
    """Create reference data (key groups, sectors, the post catalogue) missing from the database."""
    from portal.domain.workforce.reference import ensure_reference_data

    added = ensure_reference_data(db.session)
    db.session.commit()
    click.echo(f"reference data: {added['key_groups']} key groups, {added['sectors']} sectors and "
               f"{added['posts']} posts added")


@click.command("versions")
@click.option("--debian", multiple=True, metavar="PACKAGE",
              help="A Debian package to report (a dpkg pattern is allowed); repeat for several.")
def versions_command(debian: tuple[str, ...]) -> None:
    """Print the versions the portal runs with (Python, SQLite, libpq, packages, database), for bug reports."""
    from portal.domain.platform.versions import debian_versions, package_versions, runtime_versions

    sections = [("Runs with", runtime_versions(db.engine)), ("Python packages", package_versions())]
    if debian:
        sections.append(("Debian packages", debian_versions(debian)))
    width = max(len(name) for _, rows in sections for name, _ in rows)
    for title, rows in sections:
        click.echo(f"{title}:")
        for name, version in rows:
            click.echo(f"  {name:<{width}}  {version}")
