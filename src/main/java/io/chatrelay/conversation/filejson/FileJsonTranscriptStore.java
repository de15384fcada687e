package io.chatrelay.conversation.filejson;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.auth.Subjects;
import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.ConversationCursor;
import io.chatrelay.conversation.ConversationRecord;
import io.chatrelay.conversation.MessageRecord;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.conversation.TranscriptStore;
import io.chatrelay.error.ApiException;
import io.chatrelay.error.StorageFailure;
import io.chatrelay.session.Owner;

/**
 * JSON-file backend of the persistence facade, for local development: one file
 * {@code <uuid>.json} per conversation holding the conversation and all its messages.
 *
 * <p>Single-instance only: the in-memory index and the locks live in this process, so two
 * processes (or two instances) on one directory would overwrite each other's writes.
 *
 * <p>Every write replaces the whole file atomically (temp file, fsync, atomic rename, then
 * fsync of the directory): a crash or a full disk mid-write leaves either the old or the new
 * transcript on disk, never a truncated file that would lose the whole conversation.
 */
public class FileJsonTranscriptStore implements TranscriptStore {

    private static final Logger LOG = Logger.getLogger(FileJsonTranscriptStore.class);

    private static final String SUFFIX = ".json";
    private static final String TEMP_PREFIX = ".";
    private static final String TEMP_SUFFIX = ".tmp";

    /** Newest activity first, then id descending: the order ConversationCursor.precedes assumes. */
    private static final Comparator<ConversationRecord> LIST_ORDER = Comparator
            .comparing(ConversationRecord::updatedAt).thenComparing(ConversationRecord::id).reversed();

    private final Path directory;
    private final PersistenceConfig config;
    private final ObjectMapper mapper;

    /** Immutable snapshots, replaced only after their file is on disk, so readers never see torn state. */
    private final Map<UUID, Stored> conversations = new ConcurrentHashMap<>();
    private final Map<UUID, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** Draft message id to its conversation, so the escape hatch can find the file by message id. */
    private final Map<UUID, UUID> drafts = new ConcurrentHashMap<>();
    /**
     * Drafts found {@code streaming} on disk at start: this backend has one instance (see the
     * class comment), so the process that was appending to them is gone. No lease is needed to
     * tell: the orphan sweep marks them interrupted.
     */
    private final Set<UUID> orphanedDrafts = ConcurrentHashMap.newKeySet();
    /** Makes count-then-insert atomic so a session cannot race past its conversation limit. */
    private final ReentrantLock createLock = new ReentrantLock();
    private final AnswerReservations answers = new AnswerReservations();

    public FileJsonTranscriptStore(Path directory, PersistenceConfig config, ObjectMapper mapper) {
        this.directory = directory;
        this.config = config;
        this.mapper = mapper;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
        load();
    }

    @Override
    public ConversationRecord createConversation(Owner owner, String title, String model) {
        createLock.lock();
        try {
            long owned = conversations.values().stream()
                    .filter(s -> s.conversation().owner().equals(owner)).count();
            if (owned >= config.maxConversationsPerSession()) {
                throw ApiException.limitExceeded("This session already has the maximum of "
                        + config.maxConversationsPerSession() + " conversations");
            }
            Instant now = now();
            ConversationRecord c = new ConversationRecord(UUID.randomUUID(), owner, title, model, false, 0,
                    now, now);
            Stored stored = new Stored(c, List.of());
            write(stored);
            conversations.put(c.id(), stored);
            return c;
        } finally {
            createLock.unlock();
        }
    }

    @Override
    public Optional<ConversationRecord> findConversation(Owner owner, UUID conversationId) {
        Stored stored = conversations.get(conversationId);
        return isOwner(stored, owner) ? Optional.of(stored.conversation()) : Optional.empty();
    }

    @Override
    public List<ConversationRecord> listConversations(Owner owner, ConversationCursor after, int limit) {
        return conversations.values().stream()
                .map(Stored::conversation)
                .filter(c -> c.owner().equals(owner))
                .filter(c -> after == null || after.precedes(c))
                .sorted(LIST_ORDER)
                .limit(Math.max(0, limit))
                .toList();
    }

    @Override
    public List<MessageRecord> listMessages(UUID conversationId, int afterSeq, int limit) {
        Stored stored = conversations.get(conversationId);
        if (stored == null) {
            return List.of();
        }
        return stored.messages().stream()
                .filter(m -> m.seq() > afterSeq)
                .limit(Math.max(0, limit))
                .map(FileJsonTranscriptStore::detached)
                .toList();
    }

    /** From one snapshot of the conversation, without its lock: snapshots are never changed. */
    @Override
    public Optional<List<MessageRecord>> latestMessages(Owner owner, UUID conversationId, int limit) {
        Stored stored = conversations.get(conversationId);
        if (!isOwner(stored, owner)) {
            return Optional.empty();
        }
        List<MessageRecord> messages = stored.messages();
        return Optional.of(messages.subList(Math.max(0, messages.size() - Math.max(0, limit)), messages.size())
                .stream().map(FileJsonTranscriptStore::detached).toList());
    }

    @Override
    public Optional<ConversationRecord> updateConversation(Owner owner, UUID conversationId, String title,
            Boolean pinned) {
        return withLock(conversationId, stored -> {
            if (!isOwner(stored, owner)) {
                return Optional.<ConversationRecord>empty();
            }
            ConversationRecord c = stored.conversation();
            ConversationRecord updated = new ConversationRecord(c.id(), c.owner(),
                    title != null ? title : c.title(), c.model(), pinned != null ? pinned : c.pinned(),
                    c.lastSeq(), c.createdAt(), now());
            commit(new Stored(updated, stored.messages()));
            return Optional.of(updated);
        });
    }

    @Override
    public boolean deleteConversation(Owner owner, UUID conversationId) {
        return withLock(conversationId, stored -> {
            if (!isOwner(stored, owner)) {
                return false;
            }
            removeLocked(conversationId);
            return true;
        });
    }

    @Override
    public int deleteInactiveBefore(Instant cutoff, int batchSize) {
        // Single instance (see the class comment): no other process to coordinate with.
        Predicate<ConversationRecord> inactive = c -> !c.pinned() && c.updatedAt().isBefore(cutoff);
        List<UUID> oldestFirst = conversations.values().stream()
                .map(Stored::conversation)
                .filter(inactive)
                .sorted(Comparator.comparing(ConversationRecord::updatedAt).thenComparing(ConversationRecord::id))
                .limit(Math.max(0, batchSize))
                .map(ConversationRecord::id)
                .toList();
        int deleted = 0;
        for (UUID id : oldestFirst) {
            // Checked again under the conversation's lock: a turn or a pin may have come in since the scan.
            boolean removed = withLock(id, stored -> {
                if (stored == null || !inactive.test(stored.conversation())) {
                    return false;
                }
                removeLocked(id);
                return true;
            });
            if (removed) {
                deleted++;
            }
        }
        return deleted;
    }

    @Override
    public MessageRecord recordUserMessage(Owner owner, UUID conversationId, JsonNode content) {
        return withLock(conversationId, stored -> {
            if (!isOwner(stored, owner)) {
                throw ApiException.conversationNotFound();
            }
            // A turn adds two messages: refuse it while there is no room for both, counting the
            // answers that the turns still running will add.
            if (stored.conversation().lastSeq() + answers.pending(conversationId) + 2
                    > config.maxMessagesPerConversation()) {
                throw ApiException.limitExceeded("This conversation already has the maximum of "
                        + config.maxMessagesPerConversation() + " messages");
            }
            Instant now = now();
            MessageRecord m = new MessageRecord(UUID.randomUUID(), stored.conversation().lastSeq() + 1, "user",
                    MessageStatus.FINAL, copy(content), null, null, null, null, now);
            commit(stored.append(m, now));
            answers.reserve(conversationId);
            return detached(m);
        });
    }

    @Override
    public void recordAssistantMessage(UUID conversationId, UUID messageId, AssistantMessage message) {
        withLock(conversationId, stored -> {
            if (stored == null) {
                LOG.debugf("Conversation %s was deleted during its turn; assistant message dropped",
                        conversationId);
                return null;
            }
            if (stored.messages().stream().anyMatch(m -> m.id().equals(messageId))) {
                return null; // a retry of a write that was stored already
            }
            Instant now = now();
            commit(stored.append(finalized(messageId, stored.conversation().lastSeq() + 1, now, message),
                    now));
            answers.take(conversationId);
            return null;
        });
    }

    @Override
    public void releaseAnswerReservation(UUID conversationId) {
        withLock(conversationId, stored -> {
            answers.take(conversationId);
            return null;
        });
    }

    @Override
    public Optional<UUID> startAssistantDraft(UUID conversationId) {
        return withLock(conversationId, stored -> {
            if (stored == null) {
                return Optional.<UUID>empty();
            }
            Instant now = now();
            MessageRecord m = new MessageRecord(UUID.randomUUID(), stored.conversation().lastSeq() + 1,
                    "assistant", MessageStatus.STREAMING, TextNode.valueOf(""), null, null, null, null, now);
            commit(stored.append(m, now));
            answers.take(conversationId);
            drafts.put(m.id(), conversationId);
            return Optional.of(m.id());
        });
    }

    @Override
    public void appendAssistantDraft(UUID messageId, String contentSoFar) {
        replaceDraft(messageId, m -> new MessageRecord(m.id(), m.seq(), m.role(), m.status(),
                TextNode.valueOf(contentSoFar), m.finishReason(), m.toolCalls(), m.usage(), m.responseId(),
                m.createdAt()));
    }

    @Override
    public void finishAssistantDraft(UUID messageId, AssistantMessage message) {
        replaceDraft(messageId, m -> finalized(m.id(), m.seq(), m.createdAt(), message));
        drafts.remove(messageId);
    }

    @Override
    public int interruptOrphanedDrafts(Instant now, int batchSize) {
        int interrupted = 0;
        for (UUID messageId : List.copyOf(orphanedDrafts)) {
            if (interrupted == batchSize) {
                break;
            }
            replaceDraft(messageId, m -> new MessageRecord(m.id(), m.seq(), m.role(), MessageStatus.INTERRUPTED,
                    m.content(), m.finishReason(), m.toolCalls(), m.usage(), m.responseId(), m.createdAt()));
            drafts.remove(messageId);
            orphanedDrafts.remove(messageId);
            interrupted++;
        }
        return interrupted;
    }

    @Override
    public boolean checkAvailable() {
        return Files.isDirectory(directory) && Files.isWritable(directory);
    }

    private void replaceDraft(UUID messageId, Function<MessageRecord, MessageRecord> change) {
        UUID conversationId = drafts.get(messageId);
        if (conversationId == null) {
            return;
        }
        withLock(conversationId, stored -> {
            if (stored == null) {
                return null;
            }
            List<MessageRecord> messages = new ArrayList<>(stored.messages());
            for (int i = 0; i < messages.size(); i++) {
                if (messages.get(i).id().equals(messageId)) {
                    messages.set(i, change.apply(messages.get(i)));
                    // Drafts do not count as activity, as in the PostgreSQL backend.
                    commit(new Stored(stored.conversation(), List.copyOf(messages)));
                    return null;
                }
            }
            return null;
        });
    }

    /**
     * Runs {@code action} on the conversation (null when it does not exist) under its lock,
     * so read-modify-write sequences on one conversation never interleave.
     */
    private <T> T withLock(UUID conversationId, Function<Stored, T> action) {
        if (!conversations.containsKey(conversationId)) {
            // A missing id never comes back (ids are random and new): no lock to create,
            // so requests for unknown ids cannot grow the lock map.
            return action.apply(null);
        }
        ReentrantLock lock = locks.computeIfAbsent(conversationId, id -> new ReentrantLock());
        lock.lock();
        try {
            Stored stored = conversations.get(conversationId);
            if (stored == null) {
                // Deleted while we waited; drop a lock that may have been made after the delete.
                locks.remove(conversationId, lock);
            }
            return action.apply(stored);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes the conversation's file, then forgets it; the caller holds the conversation's lock. */
    private void removeLocked(UUID conversationId) {
        try {
            Files.deleteIfExists(fileOf(conversationId));
            syncDirectory();
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
        conversations.remove(conversationId);
        answers.forget(conversationId);
        drafts.values().removeIf(conversationId::equals);
        // Anyone still queued on this lock finds the conversation gone and does nothing.
        locks.remove(conversationId);
    }

    /** Disk first: if the write fails the index keeps matching the file that is still there. */
    private void commit(Stored stored) {
        write(stored);
        conversations.put(stored.conversation().id(), stored);
    }

    private static boolean isOwner(Stored stored, Owner owner) {
        return stored != null && stored.conversation().owner().equals(owner);
    }

    private Path fileOf(UUID conversationId) {
        return directory.resolve(conversationId + SUFFIX);
    }

    private void write(Stored stored) {
        UUID id = stored.conversation().id();
        Path temp = null;
        try {
            byte[] bytes = mapper.writeValueAsBytes(toJson(stored));
            // Same directory as the target: a rename across file systems would not be atomic.
            temp = Files.createTempFile(directory, TEMP_PREFIX + id + ".", TEMP_SUFFIX);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                // The data must be durable before the rename makes it the transcript.
                channel.force(true);
            }
            Files.move(temp, fileOf(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncDirectory();
        } catch (JsonProcessingException e) {
            // Not the storage's failure but the service's own (a 500, not a 503); no file was made yet.
            throw new IllegalStateException("A transcript could not be serialised", e);
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw new StorageFailure(e);
        }
    }

    /** Makes the rename itself durable; some platforms (Windows) cannot open a directory, so skip there. */
    private void syncDirectory() throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }

    private void load() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) {
                    // Left by a write that crashed before its rename; single instance, so nobody owns it.
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SUFFIX)) {
                    loadFile(file, name);
                }
            }
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
    }

    private void loadFile(Path file, String name) {
        Stored stored;
        try {
            UUID id = UUID.fromString(name.substring(0, name.length() - SUFFIX.length()));
            stored = fromJson(mapper.readTree(Files.readAllBytes(file)));
            if (!stored.conversation().id().equals(id)) {
                throw new IllegalArgumentException("id does not match file name");
            }
        } catch (IOException | RuntimeException e) {
            // Name only: the message of a parse error can quote the file's content.
            LOG.warnf("Skipping unreadable conversation file %s (%s)", name, e.getClass().getSimpleName());
            return;
        }
        conversations.put(stored.conversation().id(), stored);
        for (MessageRecord m : stored.messages()) {
            if (MessageStatus.STREAMING.equals(m.status())) {
                drafts.put(m.id(), stored.conversation().id());
                orphanedDrafts.add(m.id());
            }
        }
    }

    private ObjectNode toJson(Stored stored) {
        ConversationRecord c = stored.conversation();
        ObjectNode node = mapper.createObjectNode();
        node.put("id", c.id().toString());
        node.put("owner_subject", c.owner().subject());
        node.put("session_id", c.owner().session());
        node.put("title", c.title());
        node.put("model", c.model());
        node.put("pinned", c.pinned());
        node.put("last_seq", c.lastSeq());
        node.put("created_at", c.createdAt().toString());
        node.put("updated_at", c.updatedAt().toString());
        ArrayNode messages = node.putArray("messages");
        for (MessageRecord m : stored.messages()) {
            ObjectNode mn = messages.addObject();
            mn.put("id", m.id().toString());
            mn.put("seq", m.seq());
            mn.put("role", m.role());
            mn.put("status", m.status());
            mn.set("content", orNull(m.content()));
            mn.put("finish_reason", m.finishReason());
            mn.set("tool_calls", orNull(m.toolCalls()));
            mn.set("usage", orNull(m.usage()));
            mn.put("response_id", m.responseId());
            mn.put("created_at", m.createdAt().toString());
        }
        return node;
    }

    private static Stored fromJson(JsonNode node) {
        List<MessageRecord> messages = new ArrayList<>();
        JsonNode array = node.path("messages");
        if (!array.isArray()) {
            throw new IllegalArgumentException("messages is not an array");
        }
        for (JsonNode mn : array) {
            messages.add(new MessageRecord(UUID.fromString(required(mn, "id")), requiredInt(mn, "seq"),
                    required(mn, "role"), required(mn, "status"), json(mn, "content"), text(mn, "finish_reason"),
                    json(mn, "tool_calls"), json(mn, "usage"), text(mn, "response_id"),
                    Instant.parse(required(mn, "created_at"))));
        }
        messages.sort(Comparator.comparingInt(MessageRecord::seq));
        // Never hand out a seq that is already on disk, even if last_seq was edited by hand.
        int lastSeq = Math.max(requiredInt(node, "last_seq"),
                messages.isEmpty() ? 0 : messages.get(messages.size() - 1).seq());
        ConversationRecord c = new ConversationRecord(UUID.fromString(required(node, "id")),
                // Files written before owners had subjects belong to the anonymous subject.
                new Owner(node.path("owner_subject").asText(Subjects.ANONYMOUS), required(node, "session_id")),
                text(node, "title"), text(node, "model"),
                node.path("pinned").asBoolean(false), lastSeq, Instant.parse(required(node, "created_at")),
                Instant.parse(required(node, "updated_at")));
        return new Stored(c, List.copyOf(messages));
    }

    private static String required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value.asText();
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value.asInt();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static JsonNode json(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static JsonNode orNull(JsonNode value) {
        return value == null ? NullNode.getInstance() : value;
    }

    /** JsonNode is mutable: copies keep callers from changing stored state behind the lock's back. */
    private static JsonNode copy(JsonNode value) {
        return value == null ? null : value.deepCopy();
    }

    private static MessageRecord detached(MessageRecord m) {
        return new MessageRecord(m.id(), m.seq(), m.role(), m.status(), copy(m.content()), m.finishReason(),
                copy(m.toolCalls()), copy(m.usage()), m.responseId(), m.createdAt());
    }

    private static MessageRecord finalized(UUID id, int seq, Instant createdAt, AssistantMessage message) {
        return new MessageRecord(id, seq, "assistant", message.status(), copy(message.content()),
                message.finishReason(), copy(message.toolCalls()), copy(message.usage()), message.responseId(),
                createdAt);
    }

    /** Truncated like PostgreSQL timestamps, so both backends produce the same cursors. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** One conversation as it is on disk. */
    private record Stored(ConversationRecord conversation, List<MessageRecord> messages) {

        /** Every insert is activity: it takes the next seq and moves the conversation up the list. */
        Stored append(MessageRecord message, Instant now) {
            ConversationRecord c = conversation;
            List<MessageRecord> all = new ArrayList<>(messages);
            all.add(message);
            return new Stored(new ConversationRecord(c.id(), c.owner(), c.title(), c.model(), c.pinned(),
                    message.seq(), c.createdAt(), now), List.copyOf(all));
        }
    }
}
