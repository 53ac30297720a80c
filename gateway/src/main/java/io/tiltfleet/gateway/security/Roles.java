package io.tiltfleet.gateway.security;

import java.util.Set;

/** What a credential may do: read (viewer), also acknowledge and edit profiles (operator), also export (analyst). */
final class Roles {

    static final String VIEWER = "viewer";
    static final String OPERATOR = "operator";
    static final String ANALYST = "analyst";
    static final Set<String> ALL = Set.of(VIEWER, OPERATOR, ANALYST);

    private Roles() {
    }
}
