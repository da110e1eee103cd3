"""Content: the curriculum as files and in the database. Courses and lessons (loading with line numbers,
checking, rendering, media), the question bank and its question types (questions.py), GIFT import and export,
syncing files into the database, question versions, the office's view and edits, uploads, per-question
statistics.

May import: platform. Other contexts may import the modules named in EXPORTS.
"""
EXPORTS = ("questions",)
MAY_IMPORT = ("platform",)
