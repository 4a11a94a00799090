"""Accounts use Django's users and DRF's tokens; memberships (roles in projects) live in projects.
This app keeps its migrations: the membership table was created here (see projects.models)."""
