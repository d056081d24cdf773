"""v0.1.0."""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel as sqm  # noqa: F401

revision = "8280855a5064"
down_revision = None


def upgrade() -> None:
    op.create_table('user',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('email', sa.String(), nullable=False),
    sa.Column('handle', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    schema='core'
    )
    op.create_index(op.f('ix_core_user_email'), 'user', ['email'], unique=True, schema='core')
    op.create_index(op.f('ix_core_user_handle'), 'user', ['handle'], unique=True, schema='core')
    op.create_table('transform',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('version', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['core.user.id'], name=op.f('fk_transform_created_by_user')),
    sa.PrimaryKeyConstraint('id', 'version', name=op.f('pk_transform')),
    schema='core'
    )
    op.create_index(op.f('ix_core_transform_created_by'), 'transform', ['created_by'], unique=False, schema='core')
    op.create_index(op.f('ix_core_transform_name'), 'transform', ['name'], unique=False, schema='core')


def downgrade() -> None:
    op.drop_index(op.f('ix_core_transform_name'), table_name='transform', schema='core')
    op.drop_index(op.f('ix_core_transform_created_by'), table_name='transform', schema='core')
    op.drop_table('transform', schema='core')
    op.drop_index(op.f('ix_core_user_handle'), table_name='user', schema='core')
    op.drop_index(op.f('ix_core_user_email'), table_name='user', schema='core')
    op.drop_table('user', schema='core')
