package io.chatrelay.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.MessageRecord;
import io.chatrelay.conversation.MessageStatus;

/** How stored messages become the chat messages the provider gets, without a service around it. */
class StoredHistoryReplayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<MessageRecord> stored = new ArrayList<>();

    @Test
    void userAndAssistantMessagesComeBackBySeqWithTheirContentAsSent() throws Exception {
        JsonNode parts = JSON.readTree("[{\"type\":\"text\",\"text\":\"look\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]");
        user(TextNode.valueOf("hello"));
        assistant(MessageStatus.FINAL, "hi there", null);
        user(parts);
        assistant(MessageStatus.FINAL, "a cat", null);

        assertEquals(JSON.readTree("""
                [{"role":"user","content":"hello"},
                 {"role":"assistant","content":"hi there"},
                 {"role":"user","content":[{"type":"text","text":"look"},
                   {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},
                 {"role":"assistant","content":"a cat"}]"""), replay(Set.of(), 100));
    }

    @Test
    void toolCallsComeBackInOpenAisShapeEachOutputAsAToolMessageAfterItsCall() throws Exception {
        user(TextNode.valueOf("time and news?"));
        assistant(MessageStatus.FINAL, "Noon, and all is well.", """
                [{"id":"call_a","type":"function","function":{"name":"get_time","arguments":"{}"},"output":"12:00"},
                 {"id":"call_b","type":"function","function":{"name":"web_search","arguments":"{\\"query\\":\\"news\\"}"},
                  "output":"all is well"}]""");

        assertEquals(JSON.readTree("""
                [{"role":"user","content":"time and news?"},
                 {"role":"assistant","content":"Noon, and all is well.","tool_calls":[
                   {"id":"call_a","type":"function","function":{"name":"get_time","arguments":"{}"}},
                   {"id":"call_b","type":"function","function":{"name":"web_search","arguments":"{\\"query\\":\\"news\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_a","content":"12:00"},
                 {"role":"tool","tool_call_id":"call_b","content":"all is well"}]"""), replay(Set.of(), 100));
    }

    @Test
    void failedTurnsKeepWhatTheClientSawAndErrorsWithoutContentAreLeftOut() throws Exception {
        user(TextNode.valueOf("one"));
        assistant(MessageStatus.ERROR, "", null);
        user(TextNode.valueOf("two"));
        assistant(MessageStatus.ERROR, "Half an", null);
        user(TextNode.valueOf("three"));
        assistant(MessageStatus.ABORTED, "Cut", null);
        user(TextNode.valueOf("four"));
        assistant(MessageStatus.ERROR, null, null);
        user(TextNode.valueOf("five"));
        // another turn's draft (PERSIST_STREAMING_DELTAS), still being written
        assistant(MessageStatus.STREAMING, "so far", null);

        assertEquals(JSON.readTree("""
                [{"role":"user","content":"one"},
                 {"role":"user","content":"two"},
                 {"role":"assistant","content":"Half an"},
                 {"role":"user","content":"three"},
                 {"role":"assistant","content":"Cut"},
                 {"role":"user","content":"four"},
                 {"role":"user","content":"five"}]"""), replay(Set.of(), 100));
    }

    @Test
    void callsWithoutOutputAreLeftOutSoThatNoCallIsLeftWithoutItsResult() throws Exception {
        user(TextNode.valueOf("where is my order?"));
        // a client tool's call: the client ran it, its result was never stored
        assistant(MessageStatus.FINAL, null, """
                [{"id":"call_c","type":"function","function":{"name":"lookup_order","arguments":"{}"}}]""");
        assistant(MessageStatus.FINAL, "It shipped.", null);
        user(TextNode.valueOf("and the other?"));
        // a step cut short: one call ran, one did not
        assistant(MessageStatus.ABORTED, "Checking", """
                [{"id":"call_d","type":"function","function":{"name":"get_time","arguments":"{}"},"output":"12:00"},
                 {"id":"call_e","type":"function","function":{"name":"get_time","arguments":"{}"}},
                 {"type":"function","function":{"name":"get_time","arguments":"{}"},"output":"no id"}]""");
        user(TextNode.valueOf("hello?"));

        assertEquals(JSON.readTree("""
                [{"role":"user","content":"where is my order?"},
                 {"role":"assistant","content":"It shipped."},
                 {"role":"user","content":"and the other?"},
                 {"role":"assistant","content":"Checking","tool_calls":[
                   {"id":"call_d","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_d","content":"12:00"},
                 {"role":"user","content":"hello?"}]"""), replay(Set.of("call_c", "call_e"), 100));
    }

    @Test
    void theLastMessagesClientCallsStayWhenTheRequestBringsTheirResults() throws Exception {
        user(TextNode.valueOf("where is my order?"));
        assistant(MessageStatus.FINAL, null, """
                [{"id":"call_c","type":"function","function":{"name":"lookup_order","arguments":"{\\"id\\":7}"}},
                 {"id":"call_f","type":"function","function":{"name":"lookup_order","arguments":"{\\"id\\":8}"}}]""");

        assertEquals(JSON.readTree("""
                [{"role":"user","content":"where is my order?"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_c","type":"function","function":{"name":"lookup_order","arguments":"{\\"id\\":7}"}}]}]"""),
                replay(Set.of("call_c"), 100));
        assertEquals(JSON.readTree("[{\"role\":\"user\",\"content\":\"where is my order?\"}]"),
                replay(Set.of(), 100));
    }

    @Test
    void theLimitKeepsTheMostRecentAndNeverStartsWithAResultCutOffFromItsCall() throws Exception {
        user(TextNode.valueOf("one"));
        assistant(MessageStatus.FINAL, "Two times.", """
                [{"id":"call_a","type":"function","function":{"name":"get_time","arguments":"{}"},"output":"12:00"},
                 {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"},"output":"12:01"}]""");
        user(TextNode.valueOf("two"));
        assistant(MessageStatus.FINAL, "Done.", null);

        // [one, assistant, tool a, tool b, two, Done.]: the last three would start with tool b
        assertEquals(JSON.readTree("""
                [{"role":"user","content":"two"},
                 {"role":"assistant","content":"Done."}]"""), replay(Set.of(), 3));
        assertEquals(JSON.readTree("""
                [{"role":"assistant","content":"Two times.","tool_calls":[
                   {"id":"call_a","type":"function","function":{"name":"get_time","arguments":"{}"}},
                   {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_a","content":"12:00"},
                 {"role":"tool","tool_call_id":"call_b","content":"12:01"},
                 {"role":"user","content":"two"},
                 {"role":"assistant","content":"Done."}]"""), replay(Set.of(), 5));
        assertEquals(JSON.readTree("[{\"role\":\"assistant\",\"content\":\"Done.\"}]"), replay(Set.of(), 1));
    }

    @Test
    void theSplicePointFollowsTheLeadingInstructionsAndTheResultsTheRequestStartsWith() throws Exception {
        ArrayNode messages = (ArrayNode) JSON.readTree("""
                [{"role":"system","content":"Be brief."},{"role":"developer","content":"No emoji."},
                 {"role":"tool","tool_call_id":"call_c","content":"shipped"},
                 {"role":"tool","tool_call_id":"call_f","content":"lost"},
                 {"role":"user","content":"and?"},{"role":"tool","tool_call_id":"call_z","content":"late"}]""");

        assertEquals(2, StoredHistory.leadingInstructions(messages));
        assertEquals(Set.of("call_c", "call_f"), StoredHistory.answeredToolCalls(messages, 2));
        assertEquals(0, StoredHistory.leadingInstructions((ArrayNode) JSON.readTree(
                "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"system\",\"content\":\"late\"}]")));
    }

    private JsonNode replay(Set<String> answeredByRequest, int max) {
        ArrayNode array = JSON.createArrayNode();
        StoredHistory.replay(stored, answeredByRequest, max).forEach(array::add);
        return array;
    }

    private void user(JsonNode content) {
        stored.add(new MessageRecord(UUID.randomUUID(), stored.size() + 1, "user", MessageStatus.FINAL, content,
                null, null, null, null, Instant.now()));
    }

    private void assistant(String status, String content, String toolCalls) throws Exception {
        stored.add(new MessageRecord(UUID.randomUUID(), stored.size() + 1, "assistant", status,
                content == null ? null : TextNode.valueOf(content), "stop",
                toolCalls == null ? null : JSON.readTree(toolCalls),
                null, null, Instant.now()));
    }
}
