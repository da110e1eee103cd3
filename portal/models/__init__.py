"""All models, imported here so metadata is complete for migrations and create_all()."""
from portal.models.audit import AuditEvent
from portal.models.base import Base, utcnow
from portal.models.commitments import Commitment, CommitmentText
from portal.models.certificates import Certificate, SerialCounter, SignedCredential, StatusList
from portal.models.companies import (ApiToken, DigestLog, EmploymentEvent, IdempotencyRecord, PersonReminder,
                                      ReminderLog, RuleSet)
from portal.models.content import Course, CourseMedia, Lesson, Question, QuestionTag, QuestionVersion
from portal.models.drills import DRILL_KINDS, DRILL_STATUSES, Drill, DrillAction, DrillParticipant, DrillPhoto
from portal.models.coverage import FinalReport, OfflineAttendance, OfflineSession, Target
from portal.models.login_sessions import LoginSession
from portal.models.organizations import ORGANIZATION_KINDS, Organization, Post, Sector
from portal.models.password_resets import PasswordResetCode
from portal.models.people import (KEY_GROUPS, ROLES, IdentityConflict, KeyGroup, Person, RoleGrant, RosterClaim, Trainee,
                                  User)
from portal.models.places import LOCALITY_LEVELS, Locality
from portal.models.training import Assignment, Attempt, AttemptGrant, AttemptItem, Completion, LessonProgress, PriorTraining

__all__ = [
    "CourseMedia", "KEY_GROUPS",
    "AuditEvent", "Base", "utcnow", "Certificate", "SerialCounter", "SignedCredential", "StatusList", "Course", "Lesson", "Question", "QuestionTag",
    "QuestionVersion", "ORGANIZATION_KINDS", "Organization", "Post", "Sector", "ROLES", "KeyGroup", "RoleGrant", "User",
    "Person", "Trainee", "IdentityConflict", "RosterClaim", "LOCALITY_LEVELS", "Locality", "Assignment", "Attempt", "AttemptGrant",
    "AttemptItem", "Completion", "LessonProgress", "PriorTraining", "ApiToken", "DigestLog", "EmploymentEvent",
    "IdempotencyRecord", "PersonReminder", "ReminderLog", "RuleSet", "OfflineAttendance", "OfflineSession", "Target", "FinalReport",
    "LoginSession",
    "PasswordResetCode",
    "Commitment", "CommitmentText",
    "DRILL_KINDS", "DRILL_STATUSES", "Drill", "DrillAction", "DrillParticipant", "DrillPhoto",
]
