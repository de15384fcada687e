package io.chatrelay.auth;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Client authentication (API.md, "Authentication and tenants"). */
@ConfigMapping(prefix = "relay.auth")
public interface AuthConfig {

    /** AUTH_MODE: none (local use), jwt or api-key. */
    @WithDefault("none")
    AuthMode mode();

    /** AUTH_API_KEYS_FILE: lines {@code <subject>:<sha256 hex of the key>}, for api-key. */
    Optional<String> apiKeysFile();

    /**
     * AUTH_PROTECTED_PATHS: paths outside {@code /v1} that need a credential too when auth is
     * on, e.g. {@code /q/metrics,/q/openapi}; a path ending in {@code /*} covers what lies
     * below it. The health endpoints always stay open: the kubelet calls them without one.
     */
    Optional<List<String>> protectedPaths();
}
