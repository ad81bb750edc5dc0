package io.insession.runtime;

import io.insession.topology.ThreadCycle;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka's own clients, with one addition to each stream thread's main consumer for eager
 * micro-batching: a stream thread polls only when it has processed every record it had read (or its
 * next poll is due), so each {@code poll} tells the thread's batch that the thread is free ({@link
 * ThreadCycle#polling()}). While events of the thread wait to be scored or their lists to be
 * emitted, the poll waits at most {@value #WAITING_POLL_MS} ms instead of {@code poll.ms}, so the
 * thread comes back at once to the punctuation that scores and emits them.
 */
final class FreeThreadClientSupplier implements KafkaClientSupplier {

  /** Longest poll while work of the thread waits: the wall-clock punctuation's resolution. */
  static final long WAITING_POLL_MS = 1;

  @Override
  public Admin getAdmin(final Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(final Map<String, Object> config) {
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(final Map<String, Object> config) {
    return freeThreadSignalling(
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(final Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(final Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** {@code consumer} whose {@code poll(Duration)} first marks the calling thread free. */
  @SuppressWarnings("unchecked") // a proxy of Consumer<byte[], byte[]> over such a consumer
  static Consumer<byte[], byte[]> freeThreadSignalling(final Consumer<byte[], byte[]> consumer) {
    return (Consumer<byte[], byte[]>)
        Proxy.newProxyInstance(
            Consumer.class.getClassLoader(),
            new Class<?>[] {Consumer.class},
            new PollSignal(consumer));
  }

  /** Forwards every call; a {@code poll(Duration)} marks the thread free first. */
  private static final class PollSignal implements InvocationHandler {
    private final Consumer<byte[], byte[]> consumer;

    PollSignal(final Consumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args)
        throws Throwable {
      Object[] forwarded = args;
      if ("poll".equals(method.getName())
          && args != null
          && args.length == 1
          && args[0] instanceof Duration timeout
          && ThreadCycle.current().polling()
          && timeout.toMillis() > WAITING_POLL_MS) {
        forwarded = new Object[] {Duration.ofMillis(WAITING_POLL_MS)};
      }
      try {
        return method.invoke(consumer, forwarded);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
