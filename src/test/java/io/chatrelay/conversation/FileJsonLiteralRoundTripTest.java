package io.chatrelay.conversation;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link LiteralRoundTripTest} on the file backend ({@code DB_URL=filejson:<dir>}). */
@QuarkusTest
@TestProfile(FileJsonBackendTest.Profile.class)
class FileJsonLiteralRoundTripTest extends LiteralRoundTripTest {
}
