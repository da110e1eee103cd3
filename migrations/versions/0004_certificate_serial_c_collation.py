"""certificate serials compare byte by byte (PostgreSQL), so the serial index answers prefix look-ups

Issuing a certificate takes the year's last serial, `max(serial) WHERE serial LIKE 'SFQ-2026-%'`, under a
lock held until the transaction commits. Under a linguistic collation PostgreSQL cannot use the serial's
unique index for that LIKE and reads every certificate (0.4 s at 140,000 certificates), so on a training
day each passing quiz waited for the previous one. With the "C" collation the same query is an index
range scan (0.06 ms). Serials are ASCII, so their order and equality do not change. SQLite: nothing to do.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE certificate ALTER COLUMN serial TYPE varchar(32) COLLATE "C"')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE certificate ALTER COLUMN serial TYPE varchar(32) COLLATE "default"')
