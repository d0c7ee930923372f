using ViTok.Tests.Support;

namespace ViTok.Tests.NativeSafety;

public class ScalarLifetimeRuleTests
{
    private static int Token(string typeAndMethod, params Type[] parameters)
    {
        int dot = typeAndMethod.LastIndexOf('.');
        var type = typeAndMethod[..dot] switch
        {
            "Tensor" => typeof(Tensor),
            "torch" => typeof(torch),
            var t => throw new ArgumentException(t),
        };
        var m = type.GetMethod(typeAndMethod[(dot + 1)..], parameters)
            ?? throw new MissingMethodException(typeAndMethod);
        return m.MetadataToken;
    }

    private static bool Makes(string method, params Type[] parameters) =>
        ScalarTemporaryMap.Instance.TemporaryMakers.Contains(Token(method, parameters));

    [Fact]
    public void TorchSharpsIlShowsWhichCallsMakeScalarTemporaries()
    {
        // Internal temporaries: a + b is add(b, 1); x * 0.5 is mul((Scalar)0.5); add(Tensor) is add(t, 1).
        Assert.True(Makes("Tensor.op_Addition", typeof(Tensor), typeof(Tensor)));
        Assert.True(Makes("Tensor.op_Multiply", typeof(Tensor), typeof(double)));
        Assert.True(Makes("Tensor.op_Division", typeof(Tensor), typeof(float)));
        Assert.True(Makes("Tensor.add", typeof(Tensor)));
        Assert.True(Makes("Tensor.add_", typeof(Tensor)));
        Assert.True(Makes("Tensor.op_Subtraction", typeof(double), typeof(Tensor)));
        // No temporary: the caller passes the Scalar, or no Scalar is involved.
        Assert.False(Makes("Tensor.add", typeof(Tensor), typeof(Scalar)));
        Assert.False(Makes("Tensor.mul", typeof(Tensor)));
        Assert.False(Makes("Tensor.sub", typeof(Tensor)));
        Assert.False(Makes("Tensor.op_Subtraction", typeof(Tensor), typeof(Tensor)));
        Assert.False(Makes("Tensor.op_Multiply", typeof(Tensor), typeof(Tensor)));
        Assert.False(Makes("Tensor.op_Division", typeof(Tensor), typeof(Tensor)));
        Assert.False(Makes("Tensor.matmul", typeof(Tensor)));
    }

    [Fact]
    public void TheRuleFindsEveryRiskyFormInAPlantedSource()
    {
        // Arrange: one risky line per form, and the allowed forms.
        const string source = """
            namespace Planted;
            public static class P
            {
                private static readonly Scalar Half = 0.5;          // allowed: static field (GC root)
                public static Tensor Risky(Tensor a, Tensor b, double lr)
                {
                    var c = a + b;                                   // 7: operator + makes add(b, 1)
                    var d = a * 0.5;                                 // 8: operator *(Tensor, double)
                    var e = a.mul(0.5);                              // 9: implicit double -> Scalar argument
                    var f = a.add(b);                                // 10: add(Tensor) makes add(b, 1)
                    var g = a.clamp(min: 1e-6);                      // 11: implicit conversion in a named argument
                    Scalar h = lr;                                   // 12: a plain local is not a root
                    var i = torch.full(new long[] { 2 }, (Scalar)lr); // 13: explicit cast
                    var j = a.add_(b, alpha: lr.ToScalar());         // 14: ToScalar() not held
                    a += b;                                          // 15: compound operator
                    var gen = new Generator(1);                      // 16: a Generator in a plain local
                    return torch.randn(new long[] { 2 }, generator: gen);
                }
                public static Tensor Safe(Tensor a, Tensor b, double lr)
                {
                    using var s = lr.ToScalar();                     // allowed: using local
                    using (Scalar t = 2.0) { a = a.mul(t); }         // allowed: using statement
                    using var g = lr > 0 ? new Generator(2) : null;  // allowed: using local (through ?:)
                    var x = a.mul(b).div(b).add(b, Half).mul(s);     // allowed: no temporary Scalar
                    return x * b - a;                                // allowed: mul(Tensor), sub(Tensor) make none
                }
            }
            """;

        // Act
        var (errors, findings) = ScalarLifetimeRule.Check([("Planted.cs", GlobalUsings + source)]);

        // Assert
        Assert.Empty(errors);
        int offset = GlobalUsings.Count(ch => ch == '\n');
        var lines = findings.Select(f => f.Line - offset).Distinct().Order().ToArray();
        Assert.Equal([7, 8, 9, 10, 11, 12, 13, 14, 15, 16], lines);
    }

    [Fact]
    public void TheLibraryHasNoUnrootedScalar()
    {
        // Arrange: every C# file of src/ViTok, compiled as the project is.
        var dir = Path.Combine(RepoPaths.Root, "src", "ViTok");
        var files = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(p => (Path.GetRelativePath(RepoPaths.Root, p), File.ReadAllText(p)));

        // Act
        var (errors, findings) = ScalarLifetimeRule.Check(files);

        // Assert: it compiles (so the semantic model is the real one), and nothing risky is left.
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)));
        Assert.True(findings.Count == 0, $"{findings.Count} risky forms:\n" + string.Join("\n", findings));
    }

    private const string GlobalUsings = """
        global using TorchSharp;
        global using static TorchSharp.torch;

        """;
}
