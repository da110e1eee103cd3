"""The workforce: the people the plan covers and what the rules ask of them. Organizations, people and their
jobs (one person, one record across employers: people, employment, claims), accounts and password resets,
rosters and their imports, the post catalogue, the training rules and the schedule they drive (assignments,
prior training, compliance, reminders), and the duties inspectors ask for beside training: drills and duty
commitments. Reference data every installation starts with (reference.py).

May import: platform, learning (a prior-training record is a completion; a drill's sign-in reuses the classroom
codes). Other contexts may import the modules named in EXPORTS.
"""
EXPORTS = ("accounts", "commitments", "compliance", "drills", "employment", "organizations", "posts", "prior",
           "reference", "roster", "roster_import", "roster_posts", "rules", "schedule")
MAY_IMPORT = ("platform", "learning")
