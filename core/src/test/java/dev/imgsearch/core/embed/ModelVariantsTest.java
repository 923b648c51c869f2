package dev.imgsearch.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which copy of the encoder runs, and why: never a silent switch of a collection's model. */
class ModelVariantsTest {

  private static final CpuFeatures VNNI =
      new CpuFeatures("Intel Xeon", Set.of("avx2", "avx512f", "avx512_vnni", "amx_int8"));
  private static final CpuFeatures AVX2 = new CpuFeatures("AMD EPYC", Set.of("avx2"));
  private static final Function<Path, String> ID = f -> f.getFileName().toString() + "@id";

  @TempDir Path dir;
  private Path fp32;
  private Path int8;

  @BeforeEach
  void models() throws Exception {
    fp32 = Files.writeString(dir.resolve("resnet50.onnx"), "fp32");
    int8 = dir.resolve("resnet50.int8.onnx");
  }

  private ModelVariants.Choice auto(CpuFeatures cpu, Set<String> held) {
    return ModelVariants.choose(fp32, Precision.AUTO, Device.CPU, cpu, () -> held, ID);
  }

  @Test
  void theInt8CopyIsTheFileBesideTheModel() {
    assertThat(ModelVariants.int8Companion(fp32)).isEqualTo(int8);
    assertThat(ModelVariants.int8Companion(int8)).isEqualTo(int8);
  }

  @Test
  void autoRunsInt8ForANewCollectionOnACpuWithInt8Instructions() throws Exception {
    Files.writeString(int8, "int8");
    ModelVariants.Choice choice = auto(VNNI, Set.of());
    assertThat(choice.file()).isEqualTo(int8);
    assertThat(choice.precision()).isEqualTo(Precision.INT8);
  }

  @Test
  void autoKeepsFp32WithoutVnniOrAmxOrWithoutTheCopy() throws Exception {
    assertThat(auto(VNNI, Set.of()).precision()).isEqualTo(Precision.FP32); // no copy yet
    Files.writeString(int8, "int8");
    ModelVariants.Choice avx2 = auto(AVX2, Set.of());
    assertThat(avx2.file()).isEqualTo(fp32);
    assertThat(avx2.reason()).contains("no VNNI or AMX");
    assertThat(
            ModelVariants.choose(fp32, Precision.AUTO, Device.cuda(0), VNNI, Set::of, ID)
                .precision())
        .isEqualTo(Precision.FP32);
  }

  @Test
  void autoNeverSwitchesTheModelACollectionHolds() throws Exception {
    Files.writeString(int8, "int8");
    assertThat(auto(VNNI, Set.of("resnet50.onnx@id")).file()).isEqualTo(fp32);
    assertThat(auto(AVX2, Set.of("resnet50.int8.onnx@id")).file()).isEqualTo(int8);
  }

  @Test
  void int8WithoutTheCopyFailsWithTheCommandThatMakesIt() {
    assertThatThrownBy(
            () -> ModelVariants.choose(fp32, Precision.INT8, Device.CPU, VNNI, Set::of, ID))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining(int8.toString())
        .hasMessageContaining("models/convert_precision.py --precision int8 " + fp32);
  }

  @Test
  void fp32RunsTheFileGiven() throws Exception {
    Files.writeString(int8, "int8");
    assertThat(ModelVariants.choose(fp32, Precision.FP32, Device.CPU, VNNI, Set::of, ID).file())
        .isEqualTo(fp32);
  }

  @Test
  void cpuFeaturesComeFromProcCpuinfo() throws Exception {
    Path cpuinfo =
        Files.writeString(
            dir.resolve("cpuinfo"),
            "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f avx512_vnni\n\n"
                + "processor\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f avx512_vnni\n");
    CpuFeatures cpu = CpuFeatures.read(cpuinfo);
    assertThat(cpu.model()).isEqualTo("AMD EPYC");
    assertThat(cpu.hasInt8DotProducts()).isTrue();
    assertThat(cpu.describe()).startsWith("AMD EPYC (avx2 avx512f avx512_vnni; no ");
    assertThat(CpuFeatures.read(dir.resolve("missing")).hasInt8DotProducts()).isFalse();
  }
}
