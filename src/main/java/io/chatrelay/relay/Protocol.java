package io.chatrelay.relay;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import io.chatrelay.sse.SseFrames;
import io.chatrelay.turn.AnswerFolder;
import io.vertx.core.buffer.Buffer;

/**
 * A provider endpoint relayed by {@link ExchangeRelay}.
 *
 * @param path the endpoint, relative to OPENAI_BASE_URL
 * @param folders makes the folder of one exchange's answer
 * @param brokenStreamFrames what ends a stream for the client when the provider's stream broke
 *        after it began, in the endpoint's own event format, given a message
 */
public record Protocol(String path, Supplier<AnswerFolder> folders,
        Function<String, List<Buffer>> brokenStreamFrames) {

    /** Chat completions: an error event, then {@code data: [DONE]}. */
    public static final Protocol CHAT_COMPLETIONS = new Protocol("chat/completions", ChatCompletionAccumulator::new,
            message -> List.of(SseFrames.error(message), SseFrames.done()));

    AnswerFolder newFolder() {
        return folders.get();
    }
}
