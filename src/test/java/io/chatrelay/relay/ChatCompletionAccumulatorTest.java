package io.chatrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.sse.SseEvent;
import io.chatrelay.sse.SseFrames;
import io.vertx.core.buffer.Buffer;

class ChatCompletionAccumulatorTest {

    @Test
    void foldsTheFirstChoicesTextWhereverItsIndexIsWritten() {
        ChatCompletionAccumulator answer = fold(
                "{\"id\":\"c1\",\"created\":17,\"model\":\"m\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"index\":0}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"other\"},\"index\":1},{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}",
                SseEvent.DONE);

        AssistantMessage message = answer.toMessage(MessageStatus.FINAL);
        assertEquals("Hello", message.content().asText());
        assertEquals("stop", message.finishReason());
        assertEquals(2, message.usage().get("completion_tokens").asInt());
        assertNull(message.toolCalls());
        assertEquals(new SseFrames.ChunkIdentity("c1", 17, "m"), answer.identity());
        assertFalse(answer.sawUpstreamError());
    }

    @Test
    void mergesToolCallFragmentsByIndex() {
        ChatCompletionAccumulator answer = fold(
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_\",\"arguments\":\"{\\\"tz\\\"\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"time\","
                        + "\"arguments\":\":\\\"UTC\\\"}\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");

        AssistantMessage message = answer.toMessage(MessageStatus.FINAL);
        assertNull(message.content(), "no text, only a tool call");
        assertEquals("call_1", message.toolCalls().get(0).get("id").asText());
        assertEquals("get_time", message.toolCalls().get(0).at("/function/name").asText());
        assertEquals("{\"tz\":\"UTC\"}", message.toolCalls().get(0).at("/function/arguments").asText());
        assertEquals("tool_calls", message.finishReason());
    }

    @Test
    void anErrorInsideTheStreamIsNoted() {
        ChatCompletionAccumulator answer = fold("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}",
                "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");

        assertTrue(answer.sawUpstreamError());
        assertEquals("par", answer.contentSoFar());
    }

    @Test
    void eventsThatAreNotWholeJsonFoldNothing() {
        ChatCompletionAccumulator answer = fold("keep-alive", "[1,2]",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lost\"}}],\"usage\":",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"}}]}");

        assertEquals("kept", answer.contentSoFar());
        assertEquals(1, answer.version());
        assertNull(answer.identity());
    }

    @Test
    void valuesAreReadAsATreeWouldReadThem() {
        ChatCompletionAccumulator answer = fold(
                "{\"choices\":[7,{\"index\":0,\"delta\":{\"content\":\"not the first\"}}],\"id\":null}",
                "{\"model\":null,\"created\":\"42\",\"id\":\"c2\",\"usage\":3,"
                        + "\"choices\":[{\"index\":\"1\",\"delta\":{\"content\":\"one\"}},"
                        + "{\"delta\":{\"content\":\"A\",\"extra\":{\"deep\":[1,{\"x\":[]}]}},\"logprobs\":{\"a\":[1]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":null},\"finish_reason\":null}],\"error\":null}",
                "{\"choices\":[{\"index\":0.0,\"delta\":\"text\",\"finish_reason\":\"length\"}]}",
                "{\"choices\":[],\"usage\":{\"total_tokens\":5}} trailing");

        assertEquals("A", answer.contentSoFar());
        assertEquals(new SseFrames.ChunkIdentity("c2", 42, ""), answer.identity());
        assertEquals("length", answer.finishReason());
        assertEquals(5, answer.usage().get("total_tokens").asInt());
        assertFalse(answer.sawUpstreamError());
        assertEquals(1, answer.version());
    }

    @Test
    void anErrorThatIsNotAnObjectIsStillAnError() {
        assertTrue(fold("{\"error\":\"overloaded\"}").sawUpstreamError());
    }

    private static ChatCompletionAccumulator fold(String... data) {
        ChatCompletionAccumulator answer = new ChatCompletionAccumulator();
        for (String d : data) {
            answer.acceptEvent(new SseEvent(Buffer.buffer("data: " + d + "\n\n"), null, d));
        }
        return answer;
    }
}
