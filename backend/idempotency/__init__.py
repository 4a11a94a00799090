"""Idempotency-Key for POSTs that create something: a retry with the same key and body gets the first
answer back, and concurrent copies of one request create one object (see decorators.idempotent)."""
