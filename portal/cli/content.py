"""`flask content ...`: check, sync, GIFT import and export."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.extensions import db

content_cli = AppGroup("content", help="Courses and the question bank.")


def _root(root: str | None) -> Path:
    return Path(root) if root else Path(current_app.config["CONTENT_ROOT"])


@content_cli.command("check")
@click.option("--root", type=click.Path(file_okay=False), help="Content root (default: CONTENT_ROOT).")
def check(root: str | None) -> None:
    """Validate courses/ and question_bank/; exit 1 listing file:line: message for each problem.

    Warnings (file:line: warning: ...) are listed too but never change the exit status."""
    from portal.domain.content.check import check_tree

    tree = check_tree(_root(root), review_months=current_app.config.get("CONTENT_REVIEW_MONTHS", 12))
    for warning in tree.warnings:
        click.echo(str(warning), err=True)
    if tree.warnings:
        click.echo(f"{len(tree.warnings)} warning(s)", err=True)
    for problem in tree.problems:
        click.echo(str(problem), err=True)
    if tree.problems:
        click.echo(f"{len(tree.problems)} problem(s)", err=True)
        sys.exit(1)
    questions = sum(len(bank.questions) for bank in tree.banks)
    click.echo(f"content ok: {len(tree.courses)} courses, {questions} questions")


@content_cli.command("sync")
@click.option("--root", type=click.Path(file_okay=False), help="Content root (default: CONTENT_ROOT).")
def sync(root: str | None) -> None:
    """Check, then load the content into the database in one transaction."""
    from portal.domain.content.sync import ContentProblems, sync_content
    from portal.domain.workforce.reference import ensure_reference_data

    ensure_reference_data(db.session)
    try:
        report = sync_content(db.session, _root(root))
    except ContentProblems as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo("nothing was changed", err=True)
        sys.exit(1)
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    click.echo(f"sync done: {len(report.added)} added, {len(report.changed)} changed, {len(report.retired)} retired"
               + (f", {len(report.kept)} office change(s) kept" if report.kept else ""))


@content_cli.command("export")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the question files into (question_bank to replace the shipped ones).")
def export(out: str) -> None:
    """Write the database's questions as question-bank YAML (one file per source file, office.yaml for questions
    the office created; retired ones marked), to review and commit what the office changed."""
    from portal.domain.content.export import export_bank

    for name, count in export_bank(db.session, Path(out)).items():
        click.echo(f"{Path(out) / name}: {count} question(s)")


@content_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--tag", required=True, help="Tag given to every imported question.")
@click.option("--lang", default="zh_CN", type=click.Choice(["zh_CN", "en"]), show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="YAML file to write (default: question_bank/<tag>.yaml).")
def import_gift(file: str, tag: str, lang: str, out: str | None) -> None:
    """Convert a Moodle GIFT file into the question bank's YAML format."""
    from portal.domain.content.gift import parse_gift

    text = Path(file).read_text(encoding="utf-8-sig")
    result = parse_gift(text, tag=tag, lang=lang)
    for problem in result.problems:
        click.echo(f"{file}:{problem.line}: {problem.message}", err=True)
    target = Path(out) if out else _root(None) / "question_bank" / f"{tag.replace('.', '-')}.yaml"
    target.write_text(yaml.safe_dump({"questions": result.questions}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    click.echo(f"{len(result.questions)} question(s) written to {target}; {len(result.problems)} not converted")


@content_cli.command("export-gift")
@click.option("--lang", default="zh_CN", type=click.Choice(["zh_CN", "en"]), show_default=True)
@click.option("--tag", help="Only questions carrying this tag.")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_gift(lang: str, tag: str | None, out: str | None) -> None:
    """Write the current question bank (from the database) in Moodle GIFT format."""
    from portal.domain.content.gift import export_gift as render
    from portal.domain.content.gift import exportable
    from portal.models import Question

    questions = [q.current_version.data for q in db.session.scalars(select(Question).where(Question.retired.is_(False))
                                                                     .order_by(Question.code)) if q.current_version]
    if tag:
        questions = [q for q in questions if tag in q.get("tags", [])]
    questions, skipped = exportable(questions)
    if skipped:
        click.echo(f"{len(skipped)} case (scenario) question(s) not exported, GIFT has no form for a case shared by "
                   f"several questions: {', '.join(skipped)}", err=True)
    text = render(questions, lang=lang)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"{len(questions)} question(s) written to {out}")
    else:
        click.echo(text, nl=False)
