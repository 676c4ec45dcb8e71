"""Operations that join the database, the files and the domain; called by blueprints and the CLI."""
