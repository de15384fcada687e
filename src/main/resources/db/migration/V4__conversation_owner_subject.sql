-- Tenants: with client authentication on (AUTH_MODE jwt or api-key) a conversation belongs to
-- the authenticated subject, refined by the session id when the request sends one. Without
-- authentication every client is the one anonymous subject, the empty string, and the session
-- id alone tells owners apart, as before. An authenticated request that sends no session owns
-- its conversations under the empty session id, which no valid session id can be.
alter table conversations add column owner_subject varchar(200) not null default '';

-- The conversations API lists an owner's conversations newest activity first, by keyset
-- (updated_at, id): the index leads with the owner so that a page stays one index range scan.
drop index conversations_session_activity;
create index conversations_owner_activity on conversations (owner_subject, session_id, updated_at desc, id desc);

-- The conversation limit counts per owner now; the lock is the owner's, as the session's was
-- (see V3__limits_under_concurrency.sql for why it is VOLATILE plpgsql).
drop function session_has_room(text, integer, integer);
create function owner_has_room(for_subject text, for_session text, max_conversations integer, lock_key integer)
    returns boolean
    language plpgsql
    volatile
as $$
begin
    perform pg_advisory_xact_lock(1667785587, lock_key);
    return (select count(*) from conversations
            where owner_subject = for_subject and session_id = for_session) < max_conversations;
end;
$$;
