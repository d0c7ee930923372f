using System.Runtime.InteropServices;
using ViTok.Cli;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class MklDispatchTests
{
    [Fact]
    public void OnAnAmdAvx512CpuMklIsToldItIsOnIntelAndGemmsStayCorrect()
    {
        // Arrange
        torch.manual_seed(7);
        var a = torch.randn(257, 64);
        var b = torch.randn(64, 170);

        // Act
        var outcome = MklDispatch.Apply();
        var product = torch.matmul(a, b);

        // Assert: patched exactly where it applies (and then MKL's own check answers 1); the product is right.
        Assert.Equal(MklDispatch.Applicable, outcome == MklDispatch.Outcome.Patched);
        if (outcome == MklDispatch.Outcome.Patched)
        {
            NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"), out var lib);
            var check = NativeLibrary.GetExport(lib, "mkl_serv_intel_cpu_true");
            byte[] code = [.. Enumerable.Range(0, 6).Select(i => Marshal.ReadByte(check, i))];
            Assert.Equal(new byte[] { 0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3 }, code);   // mov eax, 1; ret
            Assert.Equal(MklDispatch.Outcome.Patched, MklDispatch.Apply());   // idempotent
        }
        var expected = torch.matmul(a.to(ScalarType.Float64), b.to(ScalarType.Float64)).to(ScalarType.Float32);
        Assert.True(torch.allclose(expected, product, rtol: 1e-5, atol: 1e-4));
    }
}
