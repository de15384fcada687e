package io.chatrelay.chat;

import java.util.function.Supplier;

/**
 * A provider endpoint relayed by {@link ExchangeRelay}.
 *
 * @param path the endpoint, relative to OPENAI_BASE_URL
 * @param folders makes the folder of one exchange's answer
 */
public record Protocol(String path, Supplier<AnswerFolder> folders) {

    AnswerFolder newFolder() {
        return folders.get();
    }
}
