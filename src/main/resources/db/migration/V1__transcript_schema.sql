-- One row per conversation, owned by one session (no sessions table: a session is only an id).
create table conversations (
    id          uuid         primary key,
    session_id  varchar(128) not null,
    title       text,
    model       text,
    pinned      boolean      not null default false,
    -- Last seq handed out; incremented under the row lock when a message is inserted,
    -- which makes seq allocation atomic and gap-free per conversation.
    last_seq    integer      not null default 0,
    created_at  timestamptz  not null,
    -- Last activity: bumped with every message and every change; drives listing and retention.
    updated_at  timestamptz  not null
);

-- Keyset pagination of a session's conversations, newest activity first.
create index conversations_session_activity on conversations (session_id, updated_at desc, id desc);
-- Retention sweep: oldest unpinned activity first.
create index conversations_retention on conversations (updated_at) where not pinned;

-- One row per message; an assistant message is written once, when its exchange ends.
create table messages (
    id              uuid        primary key,
    conversation_id uuid        not null references conversations (id) on delete cascade,
    seq             integer     not null,
    role            varchar(16) not null,
    status          varchar(16) not null,
    -- A JSON string, or an array of content parts, exactly as the client sent it.
    content         jsonb,
    finish_reason   varchar(64),
    tool_calls      jsonb,
    usage           jsonb,
    response_id     text,
    created_at      timestamptz not null,
    constraint messages_conversation_seq unique (conversation_id, seq)
);
