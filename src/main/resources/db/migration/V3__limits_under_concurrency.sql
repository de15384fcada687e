-- The message limit under concurrency: a turn's user message reserves room for the answer
-- that follows it, and that answer (or its streaming draft) takes the reservation back, so
-- that parallel turns on one conversation cannot all pass the check before any answer is in.
-- Changed only by the statement that inserts a message, under the conversation's row lock.
alter table conversations add column answers_pending integer not null default 0;

-- The conversation limit under concurrency: whether the session has room for one more
-- conversation, counted under a transaction-scoped advisory lock on the session, so that the
-- inserts that create one session's conversations take turns (the lock is held until their
-- commit). Called in the WHERE of those inserts. VOLATILE on purpose: in READ COMMITTED its
-- count then takes a snapshot of its own, after the lock was granted, and so sees the
-- conversation the previous holder committed; a count in the calling statement would use that
-- statement's snapshot, taken before the wait. The two-key form keeps session locks apart from
-- the single-key locks of the sweeps; the first key, "chcs" in ASCII, names this use.
create function session_has_room(for_session text, max_conversations integer, lock_key integer)
    returns boolean
    language plpgsql
    volatile
as $$
begin
    perform pg_advisory_xact_lock(1667785587, lock_key);
    return (select count(*) from conversations where session_id = for_session) < max_conversations;
end;
$$;
