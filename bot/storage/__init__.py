"""Storage of conversations and messages: SQLAlchemy 2 async, schema under Alembic."""
