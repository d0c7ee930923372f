using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace ViTok.Tests.Architecture;

/// <summary>Reads a built assembly with System.Reflection.Metadata and lists every place where a type of one namespace
/// floor names a type of a floor above it. A type "names" another when that type appears in its base type, interfaces,
/// generic constraints, attributes, field/method/property signatures, local variables, or any token of its method
/// bodies (calls, field accesses, casts, typeof, generic instantiations). Nested and compiler-generated types count for
/// the top-level type that declares them.</summary>
public static class NamespaceFloors
{
    /// <summary>The documented order (README, "map of the house"): a namespace may name its own floor and the floors below.
    /// The CLI is a separate assembly above all of these.</summary>
    public static readonly IReadOnlyDictionary<string, int> Levels = new Dictionary<string, int>
    {
        [""] = 0, // the root namespace: ViTokException, Scalars
        ["Runtime"] = 0, // process-wide native settings (libtorch threads, OpenMP policy)
        ["IO"] = 1,
        ["Plots"] = 2, // pictures drawn from numbers (loss curves, labelled grids); formats below it only
        ["Data"] = 2,
        ["Layers"] = 3,
        ["Models"] = 4,
        ["Losses"] = 5, ["Metrics"] = 5,
        ["Diffusion"] = 6,
        ["Training"] = 7, ["Distributed"] = 7,
        ["Evaluation"] = 8, ["Generation"] = 8, ["Benchmarks"] = 8, // Benchmarks: vitok bench (models, the training loop)
        ["Study"] = 9, ["Export"] = 9,
        ["Demos"] = 10,
    };

    /// <summary>One upward reference: <paramref name="From"/> (on floor <paramref name="FromFloor"/>) names
    /// <paramref name="To"/> (on the higher floor <paramref name="ToFloor"/>).</summary>
    public sealed record Edge(string From, string FromFloor, string To, string ToFloor)
    {
        public override string ToString() => $"{From} ({Show(FromFloor)}) -> {To} ({Show(ToFloor)})";
        private static string Show(string floor) => floor.Length == 0 ? "root" : floor;
    }

    /// <summary>The floor of a namespace under <paramref name="root"/>: "" for the root itself, the first segment below
    /// it otherwise (ViTok.Models.Paper is on the Models floor); null for namespaces outside the root.</summary>
    public static string? FloorOf(string ns, string root) =>
        ns == root ? "" : ns.StartsWith(root + ".", StringComparison.Ordinal) ? ns[(root.Length + 1)..].Split('.')[0] : null;

    /// <summary>All upward references among the types under <paramref name="root"/>, sorted and without repeats.</summary>
    public static IReadOnlyList<Edge> UpwardReferences(string assemblyPath, string root)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var edges = new SortedSet<string>(StringComparer.Ordinal);
        var result = new List<Edge>();
        foreach (var h in md.TypeDefinitions)
        {
            var (from, fromFloor) = Describe(md, h, root);
            if (fromFloor == null || !Levels.TryGetValue(fromFloor, out int fromLevel)) continue;
            foreach (var target in ReferencedTypes(pe, md, h))
            {
                var (to, toFloor) = Describe(md, target, root);
                if (toFloor == null || !Levels.TryGetValue(toFloor, out int toLevel) || toLevel <= fromLevel) continue;
                var edge = new Edge(from, fromFloor, to, toFloor);
                if (edges.Add(edge.ToString())) result.Add(edge);
            }
        }
        return result.OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList();
    }

    /// <summary>Namespaces under <paramref name="root"/> whose floor is not in <see cref="Levels"/> (a new folder must
    /// be given a place in the order).</summary>
    public static IReadOnlyList<string> UnplacedNamespaces(string assemblyPath, string root)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var h in md.TypeDefinitions)
        {
            var td = md.GetTypeDefinition(h);
            if (!td.GetDeclaringType().IsNil) continue;
            string ns = md.GetString(td.Namespace);
            var floor = FloorOf(ns, root);
            if (floor != null && !Levels.ContainsKey(floor)) set.Add(ns);
        }
        return set.ToList();
    }

    // (full name of the top-level type, its floor or null)
    private static (string Name, string? Floor) Describe(MetadataReader md, TypeDefinitionHandle h, string root)
    {
        var td = md.GetTypeDefinition(h);
        while (!td.GetDeclaringType().IsNil) td = md.GetTypeDefinition(td.GetDeclaringType());
        string ns = md.GetString(td.Namespace);
        return ($"{ns}.{md.GetString(td.Name)}", FloorOf(ns, root));
    }

    private static HashSet<TypeDefinitionHandle> ReferencedTypes(PEReader pe, MetadataReader md, TypeDefinitionHandle h)
    {
        var found = new HashSet<TypeDefinitionHandle>();
        var provider = new Collector(found);
        var seenSpecs = new HashSet<EntityHandle>();

        void Entity(EntityHandle e)
        {
            if (e.IsNil) return;
            switch (e.Kind)
            {
                case HandleKind.TypeDefinition:
                    found.Add((TypeDefinitionHandle)e);
                    break;
                case HandleKind.TypeSpecification:
                    if (seenSpecs.Add(e)) md.GetTypeSpecification((TypeSpecificationHandle)e).DecodeSignature(provider, null);
                    break;
                case HandleKind.MethodDefinition:
                    found.Add(md.GetMethodDefinition((MethodDefinitionHandle)e).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    found.Add(md.GetFieldDefinition((FieldDefinitionHandle)e).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var mr = md.GetMemberReference((MemberReferenceHandle)e);
                    Entity(mr.Parent);
                    if (mr.GetKind() == MemberReferenceKind.Method) mr.DecodeMethodSignature(provider, null);
                    else mr.DecodeFieldSignature(provider, null);
                    break;
                case HandleKind.MethodSpecification:
                    var ms = md.GetMethodSpecification((MethodSpecificationHandle)e);
                    Entity(ms.Method);
                    ms.DecodeSignature(provider, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var ss = md.GetStandaloneSignature((StandaloneSignatureHandle)e);
                    if (ss.GetKind() == StandaloneSignatureKind.LocalVariables) ss.DecodeLocalSignature(provider, null);
                    else ss.DecodeMethodSignature(provider, null);
                    break;
            }
        }

        void Attributes(CustomAttributeHandleCollection attrs)
        {
            foreach (var a in attrs) Entity(md.GetCustomAttribute(a).Constructor);
        }

        var td = md.GetTypeDefinition(h);
        Entity(td.BaseType);
        foreach (var i in td.GetInterfaceImplementations()) Entity(md.GetInterfaceImplementation(i).Interface);
        foreach (var g in td.GetGenericParameters())
            foreach (var c in md.GetGenericParameter(g).GetConstraints()) Entity(md.GetGenericParameterConstraint(c).Type);
        Attributes(td.GetCustomAttributes());
        foreach (var f in td.GetFields())
        {
            var fd = md.GetFieldDefinition(f);
            fd.DecodeSignature(provider, null);
            Attributes(fd.GetCustomAttributes());
        }
        foreach (var p in td.GetProperties())
        {
            var pd = md.GetPropertyDefinition(p);
            pd.DecodeSignature(provider, null);
            Attributes(pd.GetCustomAttributes());
        }
        foreach (var m in td.GetMethods())
        {
            var mdef = md.GetMethodDefinition(m);
            mdef.DecodeSignature(provider, null);
            Attributes(mdef.GetCustomAttributes());
            foreach (var p in mdef.GetParameters()) Attributes(md.GetParameter(p).GetCustomAttributes());
            foreach (var g in mdef.GetGenericParameters())
                foreach (var c in md.GetGenericParameter(g).GetConstraints()) Entity(md.GetGenericParameterConstraint(c).Type);
            if (mdef.RelativeVirtualAddress == 0) continue;
            var body = pe.GetMethodBody(mdef.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil) Entity(body.LocalSignature);
            foreach (var token in TokensOf(body.GetILReader())) Entity(MetadataTokens.EntityHandle(token));
        }
        return found;
    }

    private static readonly Dictionary<ushort, OperandType> Operands = typeof(OpCodes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => unchecked((ushort)o.Value), o => o.OperandType);

    // Metadata tokens (type, method, field, signature operands) of an IL stream.
    private static IEnumerable<int> TokensOf(BlobReader il)
    {
        var tokens = new List<int>();
        while (il.RemainingBytes > 0)
        {
            ushort code = il.ReadByte();
            if (code == 0xFE) code = (ushort)(0xFE00 | il.ReadByte());
            if (!Operands.TryGetValue(code, out var operand))
                throw new InvalidOperationException($"unknown IL opcode 0x{code:X4}");
            switch (operand)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget: case OperandType.ShortInlineI: case OperandType.ShortInlineVar: il.ReadByte(); break;
                case OperandType.InlineVar: il.ReadUInt16(); break;
                case OperandType.InlineI8: case OperandType.InlineR: il.ReadInt64(); break;
                case OperandType.InlineSwitch: int n = il.ReadInt32(); for (int i = 0; i < n; i++) il.ReadInt32(); break;
                case OperandType.InlineField: case OperandType.InlineMethod: case OperandType.InlineTok:
                case OperandType.InlineType: case OperandType.InlineSig:
                    tokens.Add(il.ReadInt32());
                    break;
                default: il.ReadInt32(); break; // InlineBrTarget, InlineI, InlineString, ShortInlineR
            }
        }
        return tokens;
    }

    // Signature decoder that records every type definition of this assembly it meets.
    private sealed class Collector(HashSet<TypeDefinitionHandle> found) : ISignatureTypeProvider<bool, object?>
    {
        public bool GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => found.Add(handle);
        public bool GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => false;
        public bool GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public bool GetSZArrayType(bool elementType) => false;
        public bool GetArrayType(bool elementType, ArrayShape shape) => false;
        public bool GetByReferenceType(bool elementType) => false;
        public bool GetPointerType(bool elementType) => false;
        public bool GetPinnedType(bool elementType) => false;
        public bool GetGenericInstantiation(bool genericType, System.Collections.Immutable.ImmutableArray<bool> typeArguments) => false;
        public bool GetGenericMethodParameter(object? genericContext, int index) => false;
        public bool GetGenericTypeParameter(object? genericContext, int index) => false;
        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;
        public bool GetFunctionPointerType(MethodSignature<bool> signature) => false;
        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;
    }
}
