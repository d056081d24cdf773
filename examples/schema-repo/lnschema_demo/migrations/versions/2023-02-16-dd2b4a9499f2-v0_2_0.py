"""v0.2.0."""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel as sqm  # noqa: F401

revision = "dd2b4a9499f2"
down_revision = "8280855a5064"


def upgrade() -> None:
    op.create_table('run',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('transform_id', sa.String(), nullable=False),
    sa.Column('transform_version', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['transform_id', 'transform_version'], ['core.transform.id', 'core.transform.version'], name='fk_run_transform_id_transform'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run')),
    schema='core'
    )
    op.create_index(op.f('ix_core_run_name'), 'run', ['name'], unique=False, schema='core')
    op.create_index(op.f('ix_core_run_transform_id'), 'run', ['transform_id'], unique=False, schema='core')
    op.create_index(op.f('ix_core_run_transform_version'), 'run', ['transform_version'], unique=False, schema='core')


def downgrade() -> None:
    op.drop_index(op.f('ix_core_run_transform_version'), table_name='run', schema='core')
    op.drop_index(op.f('ix_core_run_transform_id'), table_name='run', schema='core')
    op.drop_index(op.f('ix_core_run_name'), table_name='run', schema='core')
    op.drop_table('run', schema='core')
