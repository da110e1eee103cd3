"""The domain: the rules of the portal in plain Python, without a request. Grouped by what each part is about
(each sub-package's docstring says what it owns, what it may import and what it exports):

  platform      errors, local time, audit, policy, passwords, sessions, mail, tabular files, backups
  content       courses, lessons, the question bank, GIFT, sync, the office's content pages
  learning      progress, study time, quizzes, classroom sessions, the completion event
  workforce     organizations, people and jobs, accounts, rosters and imports, posts, rules, schedule,
                compliance, reminders, drills, duty commitments
  certificates  serials, issuing, PDFs, signed credentials, public verification
  coverage      coverage against the target population, reports
  demo          the demo district

Each context imports only the contexts its MAY_IMPORT names, and of them only the modules their EXPORTS name
(tests/test_layout.py). `wiring` connects the completion event to the contexts that answer it.
Functions take the Session, the user and `now` (or `today`) as arguments; they flush, never commit.
"""
