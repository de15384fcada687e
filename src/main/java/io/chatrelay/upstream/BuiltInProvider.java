package io.chatrelay.upstream;

/**
 * A stand-in provider built into dev and test builds, served by this service itself under
 * its own URL. Production builds have none: {@code /healthz} asks it whether
 * OPENAI_BASE_URL names it, without referring to a class that is not packaged.
 */
public interface BuiltInProvider {

    /** Whether {@code baseUrl} (OPENAI_BASE_URL) names this provider. */
    boolean isAt(String baseUrl);
}
