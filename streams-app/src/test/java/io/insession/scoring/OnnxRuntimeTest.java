package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OnnxRuntimeTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger(OnnxRuntime.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  @Test
  void shouldFallBackToCpuWithOneWarningWhenCudaIsNotAvailableOnThisMachine() throws Exception {
    assertThat(OrtEnvironment.getAvailableProviders()).doesNotContain(OrtProvider.CUDA);

    final OnnxRuntime runtime =
        OnnxRuntime.create(OnnxRuntimeSettings.defaults().withDevice(ScoringDevice.CUDA, 0));

    assertThat(runtime.effectiveDevice()).isEqualTo(ScoringDevice.CPU);
    assertThat(runtime.settings().device()).isEqualTo(ScoringDevice.CUDA);
    final List<ILoggingEvent> warnings =
        logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getFormattedMessage())
        .contains("'cuda' requested")
        .contains("not available")
        .contains("falling back to CPU");
    // and the fallback really serves: a session on the CPU
    try (OrtSession session =
        runtime.createSession(ModelBundle.load(TestBundles.tiny()).modelFile())) {
      assertThat(session.getInputNames()).containsExactlyInAnyOrder("item_idx", "hidden");
    }
    assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(1);
  }

  @Test
  void shouldUseTheCpuWithoutWarningByDefault() throws Exception {
    final OnnxRuntime runtime = OnnxRuntime.create(OnnxRuntimeSettings.defaults());

    assertThat(runtime.effectiveDevice()).isEqualTo(ScoringDevice.CPU);
    assertThat(runtime.environment()).isSameAs(OrtEnvironment.getEnvironment());
    assertThat(logs.list).noneMatch(e -> e.getLevel() == Level.WARN);
    try (OrtSession.SessionOptions options = runtime.sessionOptions()) {
      assertThat(options).isNotNull();
    }
  }

  @Test
  void shouldFallBackWhenTheProviderListLacksCuda() {
    final OnnxRuntime runtime =
        new OnnxRuntime(
            OrtEnvironment.getEnvironment(),
            OnnxRuntimeSettings.defaults().withDevice(ScoringDevice.CUDA, 1),
            EnumSet.of(OrtProvider.CPU, OrtProvider.DNNL));

    assertThat(runtime.effectiveDevice()).isEqualTo(ScoringDevice.CPU);
    assertThat(logs.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .contains("[CPU, DNNL]");
  }

  @Test
  void shouldParseDeviceSettingsCaseInsensitively() {
    assertThat(ScoringDevice.parse("cpu")).isEqualTo(ScoringDevice.CPU);
    assertThat(ScoringDevice.parse(" CUDA ")).isEqualTo(ScoringDevice.CUDA);
    assertThat(ScoringDevice.CUDA.settingValue()).isEqualTo("cuda");
    assertThatThrownBy(() -> ScoringDevice.parse("tpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scoring device must be 'cpu' or 'cuda', got 'tpu'");
  }

  @Test
  void shouldRejectNonsenseThreadCounts() {
    assertThatThrownBy(() -> new OnnxRuntimeSettings(0, 1, ScoringDevice.CPU, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("intraOpThreads must be >= 1, got 0");
    assertThatThrownBy(() -> new OnnxRuntimeSettings(1, 1, ScoringDevice.CUDA, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deviceId must be >= 0, got -1");
    assertThat(OnnxRuntimeSettings.defaults())
        .isEqualTo(new OnnxRuntimeSettings(1, 1, ScoringDevice.CPU, 0));
  }
}
