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


@contextmanager
def unflushed_commits_on_this_connection():
    """While the block runs, every commit of this thread's connection returns without waiting for
    the WAL flush (`SET synchronous_commit TO OFF` for the session), with the same guarantee as
    `unflushed_commit`; statements can then run in autocommit, one round trip each, instead of
    BEGIN, SET LOCAL, the statement and COMMIT. For a thread that owns its connection and writes
    only such steps through it (a propagation's frame writer). The setting is reset when the block
    ends, so a connection going back to a pool waits for the disk again; one the reset cannot reach
    is closed (a pool then discards it). A connection Django reopens inside the block waits for the
    disk: slower, never less safe."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:
            if connection.connection is not None:
                connection.connection.close()
