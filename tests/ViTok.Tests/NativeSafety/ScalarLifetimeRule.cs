using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace ViTok.Tests.NativeSafety;

/// <summary>The project rule "no native Scalar is freed while native code uses it", checked with Roslyn's
/// semantic model. A TorchSharp <see cref="Scalar"/> has only a finalizer, and TorchSharp passes its raw handle to
/// native code without <c>GC.KeepAlive</c>; a Scalar is therefore safe only while something roots it. Allowed: a
/// Scalar held by a static field (a GC root, never finalized) or by a <c>using</c> local (alive, then disposed, at the
/// end of its block). Reported:
/// <list type="bullet">
/// <item>a conversion of a number to Scalar (implicit or explicit) or a call that returns a new Scalar
/// (<c>ToScalar()</c>) whose result is not the initializer of a static field or of a <c>using</c> local;</item>
/// <item>a call of a TorchSharp method, operator or constructor that makes a Scalar temporary internally (the set
/// is read from TorchSharp's IL by <see cref="ScalarTemporaryMap"/>: e.g. <c>a + b</c>, <c>a - b</c>,
/// <c>x * 0.5</c>, <c>a.add(b)</c>, <c>torch.add(a, b)</c>).</item>
/// </list></summary>
public static class ScalarLifetimeRule
{
    /// <summary>One finding: file, 1-based line, what was found, and the source text.</summary>
    public sealed record Finding(string File, int Line, string What, string Code)
    {
        public override string ToString() => $"{File}:{Line}: {What}: {Code}";
    }

    /// <summary>Compiles <paramref name="sources"/> (path, text) against the assemblies next to the test assembly
    /// (TorchSharp, SkiaSharp, ...) and the platform, and returns the compile errors and the findings.</summary>
    public static (IReadOnlyList<string> Errors, IReadOnlyList<Finding> Findings) Check(IEnumerable<(string Path, string Text)> sources)
    {
        var (compilation, trees) = Compile(sources);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795")
            .Select(d => d.ToString()).ToList();
        var findings = new List<Finding>();
        var map = ScalarTemporaryMap.Instance;
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar")!;
        var torchSharp = scalar.ContainingAssembly;
        foreach (var tree in trees)
        {
            // The one place that makes Scalars for a static cache (GC roots): ViTok.Scalars itself.
            if (tree.FilePath.Replace('\\', '/').EndsWith("src/ViTok/Scalars.cs", StringComparison.Ordinal)) continue;
            var model = compilation.GetSemanticModel(tree);
            var seen = new HashSet<IOperation>();
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                var root = model.GetOperation(node);
                if (root == null || seen.Contains(root)) continue;
                foreach (var op in root.DescendantsAndSelf())
                {
                    if (!seen.Add(op)) continue;
                    string? what = Classify(op, scalar, torchSharp, map);
                    if (what == null) continue;
                    var line = op.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    findings.Add(new Finding(tree.FilePath, line, what, op.Syntax.ToString().ReplaceLineEndings(" ")));
                }
            }
        }
        return (errors, findings.Distinct().ToList());
    }

    /// <summary>Compiles sources as src/ViTok is compiled (implicit usings, nullable, the same references).</summary>
    public static (CSharpCompilation Compilation, List<SyntaxTree> Trees) Compile(IEnumerable<(string Path, string Text)> sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.g.cs"));
        var compilation = CSharpCompilation.Create("ViTok.Core.RuleCheck", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true));
        return (compilation, trees);
    }

    internal static string? Classify(IOperation op, INamedTypeSymbol scalar, IAssemblySymbol torchSharp, ScalarTemporaryMap map)
    {
        IMethodSymbol? target = op switch
        {
            IInvocationOperation i => i.TargetMethod,
            IBinaryOperation b => b.OperatorMethod,
            IUnaryOperation u => u.OperatorMethod,
            ICompoundAssignmentOperation c => c.OperatorMethod,
            IObjectCreationOperation o => o.Constructor,
            IMethodReferenceOperation r => r.Method,
            IConversionOperation c => c.OperatorMethod,
            _ => null,
        };
        // A Generator owns native state with a finalizer too: the same rule (a using local, a static or an instance field).
        if (op is IObjectCreationOperation { Type: INamedTypeSymbol { Name: "Generator" } gt }
            && SymbolEqualityComparer.Default.Equals(gt.ContainingAssembly, torchSharp))
            return IsRooted(op) || IsFieldStore(op) ? null : "unrooted Generator; hold it in a `using` local or a field";
        if (op is IObjectCreationOperation or IInvocationOperation && op.Type is INamedTypeSymbol t
            && SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, torchSharp)
            && map.RiskyModuleTypes.Contains(t.OriginalDefinition.MetadataToken)
            && t.Name != "ScriptModule")   // converts .NET numbers among its arguments; ViTok passes tensors only
            return $"TorchSharp module {t.Name} makes an unrooted Scalar temporary in forward; write its forward with ViTok.TensorMath";
        if (target == null) return null;
        var def = target.OriginalDefinition;
        if (!SymbolEqualityComparer.Default.Equals(def.ContainingAssembly, torchSharp)) return null;

        bool makesScalar = op is IConversionOperation conv
            ? SymbolEqualityComparer.Default.Equals(conv.Type, scalar)
            : SymbolEqualityComparer.Default.Equals(def.ReturnType, scalar) && map.Creators.Contains(def.MetadataToken);
        if (makesScalar)
            return IsRooted(op) ? null : $"unrooted Scalar ({def.ContainingType.Name}.{def.Name}); hold it in a static field or a `using` local (see ViTok.Scalars)";
        // ScriptModule.call(object[]) converts .NET numbers among its arguments to Scalars; ViTok passes tensors only.
        if (def.Name == "call" && def.ContainingType.Name == "ScriptModule") return null;
        if (map.TemporaryMakers.Contains(def.MetadataToken))
            return $"TorchSharp {map.Names[def.MetadataToken]} makes an unrooted Scalar temporary internally; use the ViTok.TensorMath form";
        return null;
    }

    /// <summary>True when the Scalar made by <paramref name="op"/> initialises a static field or a using local.</summary>
    private static bool IsRooted(IOperation op)
    {
        var parent = op.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation or IConditionalOperation or ICoalesceOperation)
            parent = parent.Parent;
        if (parent is IFieldInitializerOperation fi) return fi.InitializedFields.All(f => f.IsStatic);
        if (parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation decl } })
            return decl.Parent is IUsingDeclarationOperation or IUsingOperation
                || decl.Parent is IVariableDeclarationGroupOperation { Parent: IUsingOperation or IUsingDeclarationOperation };
        return false;
    }

    /// <summary>True when <paramref name="op"/> is stored into a field (the object then lives as long as its owner).</summary>
    private static bool IsFieldStore(IOperation op)
    {
        var parent = op.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation or IConditionalOperation or ICoalesceOperation)
            parent = parent.Parent;
        return parent is ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation }
            || parent is IFieldInitializerOperation or IPropertyInitializerOperation;
    }

    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<List<MetadataReference>> References = new(() =>
    {
        var own = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ViTok.Core.dll", "ViTok.Tests.dll", "vitok.dll" };
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
            paths.TryAdd(Path.GetFileName(p), p);
        foreach (var p in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            if (!own.Contains(Path.GetFileName(p))) paths[Path.GetFileName(p)] = p;
        var refs = new List<MetadataReference>();
        foreach (var p in paths.Values)
        {
            if (own.Contains(Path.GetFileName(p))) continue;
            try
            {
                using var s = File.OpenRead(p);
                using var pe = new System.Reflection.PortableExecutable.PEReader(s);
                if (!pe.HasMetadata) continue;
            }
            catch (BadImageFormatException) { continue; }
            refs.Add(MetadataReference.CreateFromFile(p));
        }
        return refs;
    });
}
