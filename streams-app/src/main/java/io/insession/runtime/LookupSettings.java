package io.insession.runtime;

import io.insession.api.LookupApiSettings;
import io.insession.config.InSessionConfig;
import java.time.Duration;

/** The lookup API's settings from the InSession config. */
public final class LookupSettings {

  private LookupSettings() {}

  public static LookupApiSettings from(final InSessionConfig config) {
    return LookupApiSettings.of(
            config.bootstrapServers(), config.getString(InSessionConfig.RECOMMENDATIONS_TOPIC))
        .withKafkaProperties(config.kafkaProperties())
        .withPort(config.getInt(InSessionConfig.API_PORT))
        .withCache(
            config.getLong(InSessionConfig.API_CACHE_MAX_SESSIONS),
            Duration.ofMillis(config.sessionGapMs()));
  }
}
