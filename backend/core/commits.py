"""Transactions whose commit does not wait for the disk.

PostgreSQL's COMMIT waits, by default, until the transaction's WAL record is flushed to disk (an
fsync: about 3 ms on this machine's disk, far more than the statements of a small transaction).
`unflushed_commit()` turns that wait off for one transaction (`SET LOCAL synchronous_commit TO
OFF`): the commit returns at once and the WAL writer flushes it within a few hundred milliseconds.
Nothing is ever corrupted or half-applied; a crash of the database server (not of our processes)
can lose the last such commits, whole.

Use it only where that loss is made up: for bookkeeping a later pass rewrites anyway, or for the
steps of a job whose end is committed normally afterwards. A normal commit flushes the WAL up to
its own record, so it makes every earlier commit durable with it (WAL is one sequence): a job
that claims and stores its masks with unflushed commits and finishes with a normal one is, once
finished, as durable as if every step had waited; if the server crashes before that, the job's
steps are lost together and the job runs again.

Inside a transaction that is already open, the caller's transaction decides: the setting would
apply to all of it, so nothing is changed. Other databases (SQLite) commit as they always do.
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def unflushed_commit():
    """transaction.atomic() whose commit does not wait for the WAL flush (see the module)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
