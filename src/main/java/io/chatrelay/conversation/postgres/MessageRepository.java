package io.chatrelay.conversation.postgres;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;

/** Queries on {@code messages}; used only by {@link PostgresTranscriptStore}. */
@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<Message, UUID> {

    List<Message> listAfter(UUID conversationId, int afterSeq, int limit) {
        return find("conversationId = :conversation and seq > :after order by seq",
                Parameters.with("conversation", conversationId).and("after", afterSeq))
                .page(0, limit).list();
    }
}
