// The versions of the local stack (DESIGN.md section 8). The one place to change them: infra/kafka/pom.xml holds
// the same Kafka version as a default, and infra/download.ts passes these to Maven so they always win.

/** Kafka broker, pinned to 3.9.x: kafkajs 2.2.4 is proven against it by test/integration/stack.test.ts. */
export const KAFKA_VERSION = '3.9.2';
/** The logging binding Kafka 3.9's own binary distribution ships (libs/slf4j-reload4j-1.7.36.jar). */
export const SLF4J_VERSION = '1.7.36';
/** Must share its major version with the @elastic/elasticsearch client in package.json (8.x). */
export const ES_VERSION = '8.19.21';
/** Maven coordinates of Elasticsearch's test distribution: no bundled JDK, no ingest/painless/ILM modules. */
export const ES_ARTIFACT = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip`;
/** Elasticsearch 8.19 runs on Java 17 through 24; Kafka 3.9 on 8 through 23. */
export const MIN_JAVA_MAJOR = 17;
