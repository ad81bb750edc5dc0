package io.insession.demo;

import java.nio.file.Path;

/**
 * How the demo runs.
 *
 * @param kafkaPort port of the embedded broker (its controller takes the next one); ignored with an
 *     external cluster
 * @param apiPort port of the lookup API
 * @param eventsPerSecond replay rate
 * @param maxSessions how many sample sessions to replay (0 = all)
 * @param exitAfterReplay stop once every replayed event has its list, instead of at Ctrl-C
 * @param quiet do not print each list
 * @param bundle a model bundle to serve instead of the shipped demo bundle, or null
 * @param sessions a session file to replay instead of the shipped sample, or null
 * @param rollout halfway through the replay, publish the bundle again under a new version into a
 *     temporary registry and deploy it through the deployments topic (hot swap, warm sessions)
 * @param catalog load a SYNTHETIC catalogue and serve the content route and the availability rule;
 *     halfway through the replay an item sells out and a new item is listed ({@link
 *     CatalogShowcase})
 * @param experiment serve two variants, the model and the popular control, 50/50, and replay the
 *     sessions with SIMULATED shoppers acting on their lists ({@link SimulatedShoppers}); the live
 *     KPIs per variant are printed as they move
 * @param seed the simulated shoppers' seed
 */
public record DemoOptions(
    int kafkaPort,
    int apiPort,
    double eventsPerSecond,
    int maxSessions,
    boolean exitAfterReplay,
    boolean quiet,
    Path bundle,
    Path sessions,
    boolean rollout,
    boolean catalog,
    boolean experiment,
    long seed) {

  public DemoOptions {
    if ((rollout ? 1 : 0) + (catalog ? 1 : 0) + (experiment ? 1 : 0) > 1) {
      throw new IllegalArgumentException(
          "--rollout, --catalog and --experiment are separate demos: pick one");
    }
  }
}
