using System.Reflection;
using System.Reflection.Emit;

namespace ViTok.Tests.NativeSafety;

/// <summary>Reads TorchSharp's own IL and finds every method that creates a <see cref="Scalar"/> internally and
/// lets it go without disposing it (e.g. <c>Tensor.add(Tensor)</c> is <c>add(t, 1)</c>, the <c>1</c> converted by
/// <c>Scalar.op_Implicit</c>; <c>operator *(Tensor, double)</c> is <c>mul(Scalar)</c>). Such a temporary has only
/// a finalizer; the native call that reads its handle is not covered by a <c>GC.KeepAlive</c>, so a garbage
/// collection during the call can free it while libtorch reads it. The set is the fixed point of "calls a Scalar
/// creator or a method in the set", computed over direct calls (<c>call</c>, <c>callvirt</c>, <c>newobj</c>,
/// <c>ldftn</c>) inside TorchSharp.dll; it is keyed by metadata token so that Roslyn symbols of the same assembly
/// (<c>ISymbol.MetadataToken</c>) match it.</summary>
public sealed class ScalarTemporaryMap
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The map of the TorchSharp assembly loaded in this process (computed once).</summary>
    public static ScalarTemporaryMap Instance { get; } = new(typeof(Scalar).Assembly);

    /// <summary>Metadata tokens of TorchSharp methods that create and drop a Scalar temporary (directly or through
    /// a callee).</summary>
    public IReadOnlySet<int> TemporaryMakers { get; }

    /// <summary>Metadata tokens of TorchSharp module types whose <c>forward</c> makes a Scalar temporary (e.g. a
    /// module built with a number, like <c>LeakyReLU(0.2)</c>): using such a module is as risky as calling it.</summary>
    public IReadOnlySet<int> RiskyModuleTypes { get; }

    /// <summary>Readable names of <see cref="TemporaryMakers"/>, for messages.</summary>
    public IReadOnlyDictionary<int, string> Names { get; }

    /// <summary>Metadata tokens of TorchSharp methods that return a newly created Scalar (conversions,
    /// <c>ToScalar</c>): their callers own the result.</summary>
    public IReadOnlySet<int> Creators { get; }

    private ScalarTemporaryMap(Assembly torchSharp)
    {
        var module = torchSharp.ManifestModule;
        var methods = new List<MethodBase>();
        foreach (var type in module.GetTypes())
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                     BindingFlags.Static | BindingFlags.DeclaredOnly;
            methods.AddRange(type.GetMethods(all));
            methods.AddRange(type.GetConstructors(all));
        }

        var calls = new Dictionary<int, HashSet<int>>();
        var disposesScalar = new HashSet<int>();
        var names = new Dictionary<int, string>();
        var creators = new HashSet<int>();
        var scalarDispose = typeof(Scalar).GetMethod(nameof(Scalar.Dispose))!.MetadataToken;
        foreach (var m in methods)
        {
            names[m.MetadataToken] = $"{m.DeclaringType?.FullName}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";
            if (m.DeclaringType == typeof(Scalar) && (m.Name is "op_Implicit" or "op_Explicit" || m.IsConstructor))
                creators.Add(m.MetadataToken);
            if (m.DeclaringType == typeof(ScalarExtensionMethods) && m is MethodInfo mi && mi.ReturnType == typeof(Scalar))
                creators.Add(m.MetadataToken);
            var targets = new HashSet<int>();
            foreach (var t in CallTargets(m, module)) targets.Add(t);
            calls[m.MetadataToken] = targets;
            if (targets.Contains(scalarDispose)) disposesScalar.Add(m.MetadataToken);
        }

        // Methods that return a Scalar they built are creators too (Tensor.ToScalar(), item-like accessors).
        var returnsScalar = methods.Where(m => m is MethodInfo mi && mi.ReturnType == typeof(Scalar))
            .Select(m => m.MetadataToken).ToHashSet();
        var makers = new HashSet<int>();
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (m, targets) in calls)
            {
                if (creators.Contains(m) || makers.Contains(m) || disposesScalar.Contains(m)) continue;
                if (!targets.Any(t => creators.Contains(t) || makers.Contains(t))) continue;
                if (returnsScalar.Contains(m)) creators.Add(m);
                else makers.Add(m);
                changed = true;
            }
        }

        TemporaryMakers = makers;
        RiskyModuleTypes = methods.Where(m => m.Name == "forward" && makers.Contains(m.MetadataToken) && m.DeclaringType != null)
            .Select(m => m.DeclaringType!.MetadataToken).ToHashSet();
        Creators = creators;
        Names = names;
    }

    private static IEnumerable<int> CallTargets(MethodBase m, Module module)
    {
        byte[]? il;
        try { il = m.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or NotSupportedException) { il = null; }
        if (il == null) yield break;
        Type[]? typeArgs = m.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        Type[]? methodArgs = m is MethodInfo { IsGenericMethod: true } gm ? gm.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE && i + 1 < il.Length ? (short)(0xFE00 | il[i + 1]) : il[i];
            if (!OpCodesByValue.TryGetValue(value, out var op)) yield break; // unknown byte: stop reading this body
            i += op.Size;
            if (op.OperandType == OperandType.InlineMethod)
            {
                int token = BitConverter.ToInt32(il, i);
                MethodBase? target = null;
                try { target = module.ResolveMethod(token, typeArgs, methodArgs); }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMethodException) { }
                if (target != null && target.Module == module)
                {
                    if (target is MethodInfo { IsGenericMethod: true } g) target = g.GetGenericMethodDefinition();
                    yield return target.MetadataToken;
                }
            }
            i += OperandSize(op, il, i);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
