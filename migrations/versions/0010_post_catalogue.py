"""post catalogue: posts with their other names and required courses, kept by the office

The catalogue starts with the district's usual posts (portal.domain.workforce.reference.POSTS); the courses of the
posts named by the newest rules override (its `posts` section, read here once, now ignored) are kept. Every
post on a roster the catalogue does not know joins it unreviewed, and roster rows that use another name of a
post take the post's own name.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('synonyms', sa.JSON(), nullable=False),
    sa.Column('courses', sa.JSON(), nullable=False),
    sa.Column('basis', sa.String(length=300), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('added_by_organization_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_organization_id'], ['organization.id'], name=op.f('fk_post_added_by_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post')),
    sa.UniqueConstraint('name', name=op.f('uq_post_name'))
    )
    _fill(op.get_bind())


def _fill(connection):
    from datetime import datetime, timezone

    from portal.domain.workforce.rules import post_key
    from portal.domain.workforce.reference import POSTS

    now = datetime.now(timezone.utc)
    post = sa.table('post', sa.column('name'), sa.column('synonyms', sa.JSON), sa.column('courses', sa.JSON),
                    sa.column('basis'), sa.column('reviewed', sa.Boolean),
                    sa.column('created_at', portal.models.base.UTCDateTime),
                    sa.column('updated_at', portal.models.base.UTCDateTime))
    rows = {name: {'name': name, 'synonyms': list(synonyms), 'courses': list(courses), 'basis': basis,
                   'reviewed': True, 'created_at': now, 'updated_at': now}
            for name, synonyms, courses, basis in POSTS}
    for name, (courses, basis) in _override_posts(connection).items():
        row = rows.setdefault(name, {'name': name, 'synonyms': [], 'reviewed': True, 'created_at': now,
                                     'updated_at': now})
        row['courses'], row['basis'] = courses, basis
    names = {post_key(other): row['name'] for row in rows.values() for other in [row['name'], *row['synonyms']]}
    on_rosters = connection.execute(sa.text("SELECT DISTINCT post FROM trainee WHERE post <> ''")).scalars()
    for text in on_rosters:
        key = post_key(text)
        if key not in names:
            names[key] = text.strip()[:100]
            rows[names[key]] = {'name': names[key], 'synonyms': [], 'courses': [], 'basis': '', 'reviewed': False,
                                'created_at': now, 'updated_at': now}
        if names[key] != text:
            connection.execute(sa.text("UPDATE trainee SET post = :name WHERE post = :text"),
                               {'name': names[key], 'text': text})
    if rows:
        connection.execute(post.insert(), list(rows.values()))


def _override_posts(connection) -> dict:
    """name -> (courses, basis) of the `posts` section of the office's newest rules override, if any."""
    from portal.domain.platform import yamlines

    text = connection.execute(sa.text("SELECT text FROM rule_set ORDER BY id DESC LIMIT 1")).scalar()
    try:
        section = (yamlines.load(text) or {}).get('posts') if text else None
    except yamlines.YamlProblem:
        return {}
    if not isinstance(section, dict):
        return {}
    return {str(name).strip()[:100]: ([str(c) for c in entry.get('courses') or []], str(entry.get('basis') or '')[:300])
            for name, entry in section.items() if isinstance(entry, dict)}


def downgrade():
    op.drop_table('post')
