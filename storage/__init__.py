"""SQL storage: SQLAlchemy 2 models, repositories that return coach dataclasses, migrations."""
