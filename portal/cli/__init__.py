"""The `flask ...` commands, one module per command group, each a thin wrapper over portal.domain: it opens what
the command names (files, the database session), calls the domain and prints the outcome.

  setup         `flask setup` and `flask versions`
  demo          `flask demo seed`
  content       `flask content check|sync|export|import-gift|export-gift`
  certificates  `flask certificates list|render|revoke|credentials`
  coverage      `flask coverage warm` and `flask report yearly|plan`
  reminders     `flask reminders send`
  schedule      `flask schedule run`
  backup        `flask backup create|restore`
  api           `flask api purge-idempotency`
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from portal.cli import api, backup, certificates, content, coverage, demo, reminders, schedule, setup

    for command in (setup.setup_command, setup.versions_command, demo.demo_cli, content.content_cli,
                    certificates.certificates_cli, schedule.schedule_cli, backup.backup_cli, api.api_cli,
                    reminders.reminders_cli, coverage.report_cli, coverage.coverage_cli):
        app.cli.add_command(command)
