package dev.imgsearch.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuDevicesTest {

  @TempDir Path root;

  @Test
  void noDriverNodesMeansNoGpu() throws Exception {
    Files.createDirectories(root.resolve("dev"));
    Files.createFile(root.resolve("dev/null"));
    Files.createFile(root.resolve("dev/nvidia-fake"));

    assertThat(GpuDevices.anyVisible(root)).isFalse();
  }

  @Test
  void aContainerGivenOnlyItsOwnGpuIsSeen() throws Exception {
    Files.createDirectories(root.resolve("dev"));
    Files.createFile(root.resolve("dev/nvidia3"));

    assertThat(GpuDevices.anyVisible(root)).isTrue();
  }

  @Test
  void theControlNodeWslDeviceOrDriverEntryIsEnough() throws Exception {
    for (String sign : new String[] {"dev/nvidiactl", "dev/dxg", "proc/driver/nvidia/version"}) {
      Path machine = Files.createDirectories(root.resolve(sign.replace('/', '_')));
      Files.createDirectories(machine.resolve(sign).getParent());
      Files.createFile(machine.resolve(sign));

      assertThat(GpuDevices.anyVisible(machine)).as(sign).isTrue();
    }
  }

  @Test
  void aRootWithoutDevIsNoGpu() {
    assertThat(GpuDevices.anyVisible(root)).isFalse();
  }
}
