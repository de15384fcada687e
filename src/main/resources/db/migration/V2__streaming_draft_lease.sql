-- PERSIST_STREAMING_DELTAS: a draft row (status 'streaming') holds a lease that its instance
-- renews with every append. A draft whose lease ran out was left by an instance that died:
-- the orphan sweep marks it 'interrupted', keeping its text. Null on every other row.
alter table messages add column lease_until timestamptz;

-- The orphan sweep: only the few rows still streaming are indexed.
create index messages_streaming_lease on messages (lease_until) where status = 'streaming';

-- Drafts already there have no lease: they get one of ten minutes, ample for a turn of an
-- instance still running the previous version to end (its own update finalises the row).
update messages set lease_until = now() + interval '10 minutes' where status = 'streaming';
