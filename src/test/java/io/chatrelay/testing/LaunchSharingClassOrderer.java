package io.chatrelay.testing;

import java.util.Comparator;
import java.util.TreeSet;

import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.TestProfile;

/**
 * Runs the ITs of one configuration one after another: by test profile (none first) and test
 * resources, then by name. {@code @QuarkusIntegrationTest} launches the packaged service anew
 * each time the configuration changes from one class to the next, and Quarkus's own class
 * orderer leaves integration tests in name order, which would interleave FileJsonBackendIT,
 * RateLimitIT and TracingIT with the ITs that share one launch. Failsafe sets it as Quarkus's
 * {@code junit.quarkus.orderer.secondary-orderer} (pom.xml); Quarkus's orderer still runs
 * plain JUnit ITs last.
 */
public class LaunchSharingClassOrderer implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator
                .comparing((ClassDescriptor descriptor) -> configurationOf(descriptor.getTestClass()))
                .thenComparing(descriptor -> descriptor.getTestClass().getName()));
    }

    private static String configurationOf(Class<?> testClass) {
        TreeSet<String> resources = new TreeSet<>();
        for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
            for (WithTestResource resource : type.getAnnotationsByType(WithTestResource.class)) {
                resources.add(resource.value().getName());
            }
        }
        return profileOf(testClass) + " " + resources;
    }

    private static String profileOf(Class<?> testClass) {
        for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
            TestProfile profile = type.getAnnotation(TestProfile.class);
            if (profile != null) {
                return profile.value().getName();
            }
        }
        return "";
    }
}
