using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace FunctionalNets.Tests.Architecture;

/// <summary>What one namespace of an assembly uses, read from the compiled metadata.</summary>
/// <param name="Uses">The namespaces of the assembly's own types that the namespace's types mention anywhere: base types,
/// interfaces, constraints, attributes, field, method, property and event signatures, locals, and the types, methods and
/// fields their IL refers to.</param>
/// <param name="PointerTypes">The types (nested ones by their full name) whose own fields, method signatures or locals hold
/// a pointer or a function pointer.</param>
/// <param name="PinningTypes">The types with a method that pins a local (a <c>fixed</c> statement).</param>
internal sealed record NamespaceUse(SortedSet<string> Uses, SortedSet<string> PointerTypes, SortedSet<string> PinningTypes);

/// <summary>
/// Reads an assembly with System.Reflection.Metadata and groups what its types use by namespace (a nested or
/// compiler-generated type counts for the namespace of its outermost declaring type). References to other assemblies
/// are left out: the graph is the assembly's own namespaces.
/// </summary>
internal static class AssemblyScan
{
    // Every IL opcode by its value, for stepping over operands.
    private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => (ushort)op.Value);

    /// <summary>Each namespace of the assembly at <paramref name="path"/> and what it uses.</summary>
    public static IReadOnlyDictionary<string, NamespaceUse> Namespaces(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var result = new SortedDictionary<string, NamespaceUse>(StringComparer.Ordinal);
        foreach (var handle in md.TypeDefinitions)
        {
            var ns = NamespaceOf(md, handle);
            if (ns.Length == 0) continue; // <Module>, <PrivateImplementationDetails>
            if (!result.TryGetValue(ns, out var use))
                result[ns] = use = new([], new(StringComparer.Ordinal), new(StringComparer.Ordinal));
            var (own, body) = (new Collector(), new Collector());
            Type(md, pe, handle, own, body);
            foreach (var used in own.Types.Concat(body.Types).Select(t => NamespaceOf(md, t)))
                if (used.Length > 0 && used != ns) use.Uses.Add(used);
            if (own.Pointer) use.PointerTypes.Add(FullName(md, handle));
            if (own.Pinned) use.PinningTypes.Add(FullName(md, handle));
        }
        return result;
    }

    private static string NamespaceOf(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        while (!type.GetDeclaringType().IsNil) type = md.GetTypeDefinition(type.GetDeclaringType());
        return md.GetString(type.Namespace);
    }

    private static string FullName(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var name = md.GetString(type.Name);
        return type.GetDeclaringType().IsNil ? $"{md.GetString(type.Namespace)}.{name}" : $"{FullName(md, type.GetDeclaringType())}+{name}";
    }

    // The type's own surface goes to `own`; what its method bodies refer to goes to `body`.
    private static void Type(MetadataReader md, PEReader pe, TypeDefinitionHandle handle, Collector own, Collector body)
    {
        var type = md.GetTypeDefinition(handle);
        Entity(md, type.BaseType, own);
        foreach (var i in type.GetInterfaceImplementations()) Entity(md, md.GetInterfaceImplementation(i).Interface, own);
        Constraints(md, type.GetGenericParameters(), own);
        Attributes(md, type.GetCustomAttributes(), own);
        foreach (var f in type.GetFields())
        {
            var field = md.GetFieldDefinition(f);
            field.DecodeSignature(own, null);
            Attributes(md, field.GetCustomAttributes(), own);
        }
        foreach (var p in type.GetProperties()) md.GetPropertyDefinition(p).DecodeSignature(own, null);
        foreach (var e in type.GetEvents()) Entity(md, md.GetEventDefinition(e).Type, own);
        foreach (var m in type.GetMethods())
        {
            var method = md.GetMethodDefinition(m);
            method.DecodeSignature(own, null);
            Constraints(md, method.GetGenericParameters(), own);
            Attributes(md, method.GetCustomAttributes(), own);
            if (method.RelativeVirtualAddress != 0) Body(md, pe.GetMethodBody(method.RelativeVirtualAddress), own, body);
        }
    }

    private static void Body(MetadataReader md, MethodBodyBlock block, Collector own, Collector body)
    {
        if (!block.LocalSignature.IsNil) md.GetStandaloneSignature(block.LocalSignature).DecodeLocalSignature(own, null);
        foreach (var region in block.ExceptionRegions) Entity(md, region.CatchType, body);
        var il = block.GetILReader();
        while (il.RemainingBytes > 0)
        {
            var first = il.ReadByte();
            var op = OpCodesByValue[first == 0xFE ? (ushort)(0xFE00 | il.ReadByte()) : first];
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32(); // read first: `Offset += 4 * ReadInt32()` would add to the offset before the read
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    Entity(md, MetadataTokens.EntityHandle(il.ReadInt32()), body);
                    break;
                default: // InlineBrTarget, InlineI, ShortInlineR, InlineString: four bytes that name no type
                    il.Offset += 4;
                    break;
            }
        }
    }

    private static void Constraints(MetadataReader md, GenericParameterHandleCollection parameters, Collector c)
    {
        foreach (var p in parameters)
            foreach (var constraint in md.GetGenericParameter(p).GetConstraints())
                Entity(md, md.GetGenericParameterConstraint(constraint).Type, c);
    }

    private static void Attributes(MetadataReader md, CustomAttributeHandleCollection attributes, Collector c)
    {
        foreach (var a in attributes) Entity(md, md.GetCustomAttribute(a).Constructor, c);
    }

    private static void Entity(MetadataReader md, EntityHandle handle, Collector c)
    {
        if (handle.IsNil) return;
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                c.Types.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(c, null);
                break;
            case HandleKind.FieldDefinition:
                var field = md.GetFieldDefinition((FieldDefinitionHandle)handle);
                c.Types.Add(field.GetDeclaringType());
                field.DecodeSignature(c, null);
                break;
            case HandleKind.MethodDefinition:
                var method = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                c.Types.Add(method.GetDeclaringType());
                method.DecodeSignature(c, null);
                break;
            case HandleKind.MemberReference:
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                Entity(md, member.Parent, c);
                if (member.GetKind() == MemberReferenceKind.Method) member.DecodeMethodSignature(c, null);
                else member.DecodeFieldSignature(c, null);
                break;
            case HandleKind.MethodSpecification:
                var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                Entity(md, spec.Method, c);
                spec.DecodeSignature(c, null);
                break;
            case HandleKind.StandaloneSignature:
                var signature = md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.Method) signature.DecodeMethodSignature(c, null);
                break;
        }
    }

    /// <summary>Collects the assembly's own types a signature mentions, and whether it holds a pointer or pins.</summary>
    private sealed class Collector : ISignatureTypeProvider<bool, object?>
    {
        public HashSet<TypeDefinitionHandle> Types { get; } = [];
        public bool Pointer { get; private set; }
        public bool Pinned { get; private set; }

        public bool GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => Types.Add(handle);
        public bool GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => false;
        public bool GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public bool GetPointerType(bool elementType) => Pointer = true;
        public bool GetFunctionPointerType(MethodSignature<bool> signature) => Pointer = true;
        public bool GetPinnedType(bool elementType) => Pinned = true;
        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;
        public bool GetSZArrayType(bool elementType) => false;
        public bool GetArrayType(bool elementType, ArrayShape shape) => false;
        public bool GetByReferenceType(bool elementType) => false;
        public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => false;
        public bool GetGenericMethodParameter(object? genericContext, int index) => false;
        public bool GetGenericTypeParameter(object? genericContext, int index) => false;
        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;
    }
}
