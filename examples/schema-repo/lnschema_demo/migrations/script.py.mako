"""vX.X.X."""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel as sqm  # noqa: F401

revision = "${up_revision}"
down_revision = ${'"%s"' % down_revision if isinstance(down_revision, str) else repr(down_revision)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
