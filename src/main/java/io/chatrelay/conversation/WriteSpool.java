package io.chatrelay.conversation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.error.StorageFailure;

/**
 * SPOOL_DIR: final writes that the database had not taken when the instance stopped, one
 * JSON file per message, for the next start to replay. A file is written to a temporary name,
 * forced to disk and then renamed, so that a crash leaves either the whole file or none.
 * Names sort in the order the writes were spooled.
 */
@ApplicationScoped
public class WriteSpool {

    private static final Logger LOG = Logger.getLogger(WriteSpool.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path directory;
    private final ObjectMapper mapper;
    private final AtomicLong sequence = new AtomicLong();

    WriteSpool(PersistenceConfig config, ObjectMapper mapper) {
        this.directory = Path.of(config.spoolDir());
        this.mapper = mapper;
    }

    /** Writes the file for {@code write} (blocking file I/O) and returns the write as spooled. */
    public PendingWrite spool(PendingWrite write) {
        if (write.spooled() != null) {
            return write; // its file from an earlier run is still there
        }
        String name = String.format("%019d-%09d-%s", System.currentTimeMillis(), sequence.incrementAndGet(),
                write.messageId());
        Path target = directory.resolve(name + SUFFIX);
        Path temp = directory.resolve(name + TEMP_SUFFIX);
        try {
            Files.createDirectories(directory);
            byte[] bytes = mapper.writeValueAsBytes(toJson(write));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return write.spooledAs(target);
        } catch (JsonProcessingException e) {
            // Not the storage's failure but the service's own (a 500, not a 503).
            throw new IllegalStateException("A pending write could not be serialised", e);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new StorageFailure(e);
        }
    }

    /** The spooled writes, oldest first; temporary files of an interrupted spool are removed. Blocking. */
    public List<PendingWrite> load() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path file : entries) {
                String name = file.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SUFFIX)) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
        files.sort(null);
        List<PendingWrite> writes = new ArrayList<>(files.size());
        for (Path file : files) {
            try {
                writes.add(fromJson(mapper.readTree(Files.readAllBytes(file))).spooledAs(file));
            } catch (IOException | RuntimeException e) {
                // Name only: a parse error's message can quote the content. The file stays for a person to look at.
                LOG.errorf("Skipping unreadable spool file %s (%s)", file.getFileName(), e.getClass().getSimpleName());
            }
        }
        return writes;
    }

    /** Removes the write's file once the database has it. Blocking. */
    public void remove(PendingWrite write) {
        if (write.spooled() == null) {
            return;
        }
        try {
            Files.deleteIfExists(write.spooled());
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            // Left in place: replaying it again is harmless, the write is idempotent.
            LOG.warnf("Could not remove spool file %s (%s)", write.spooled().getFileName(),
                    e.getClass().getSimpleName());
        }
    }

    private ObjectNode toJson(PendingWrite write) {
        AssistantMessage m = write.message();
        ObjectNode node = mapper.createObjectNode();
        node.put("kind", write.kind().name());
        node.put("conversation_id", write.conversationId().toString());
        node.put("message_id", write.messageId().toString());
        node.put("status", m.status());
        node.set("content", orNull(m.content()));
        node.put("finish_reason", m.finishReason());
        node.set("tool_calls", orNull(m.toolCalls()));
        node.set("usage", orNull(m.usage()));
        node.put("response_id", m.responseId());
        return node;
    }

    private static PendingWrite fromJson(JsonNode node) {
        AssistantMessage message = new AssistantMessage(text(node, "status"), json(node, "content"),
                text(node, "finish_reason"), json(node, "tool_calls"), json(node, "usage"),
                text(node, "response_id"));
        if (message.status() == null) {
            throw new IllegalArgumentException("status is missing");
        }
        return new PendingWrite(PendingWrite.Kind.valueOf(text(node, "kind")),
                UUID.fromString(text(node, "conversation_id")), UUID.fromString(text(node, "message_id")), message,
                null);
    }

    private static JsonNode orNull(JsonNode value) {
        return value == null ? NullNode.getInstance() : value;
    }

    private static JsonNode json(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
