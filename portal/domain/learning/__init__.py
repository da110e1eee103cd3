"""Learning: what a trainee does with a course. Lesson progress and study time, the quiz (drawing, autosave,
grading, attempts), the trainee's own record (record.py), classroom sessions (offline.py: sign-in codes and
attendance), and the completion event (hooks.py) that the schedule and the certificates answer.

May import: platform, content (the question types grade the answers). It never imports the contexts that react
to a completion: they connect to hooks through portal.domain.wiring.
"""
EXPORTS = ("hooks", "offline", "study_time")
MAY_IMPORT = ("platform", "content")
